using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiTrader.Cli;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Storage.Jobs;
using AiTrader.Storage.Security;
using Microsoft.Data.Sqlite;

namespace AiTrader.Integration.Tests.Service;

/// <summary><c>aitrader serve</c> as a real process: it starts, serves, and on SIGTERM stops cleanly, leaving no job
/// half-recorded.</summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aitrader-serve-process-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Sigterm_stops_the_service_cleanly_with_every_job_finished_in_the_store()
    {
        var dataDir = Path.Combine(_root, "data");
        string key;
        await using (var keys = ApiKeyStoreFactory.Create(null, dataDir))
        {
            key = (await keys.CreateAsync("process", ApiKeyRole.Trader)).Key;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        var dll = Path.Combine(TestPaths.RepoRoot, "src", "AiTrader.Cli", "bin", configuration, "net10.0", Path.GetFileName(typeof(AiTraderApp).Assembly.Location));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "serve", "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["AITRADER_DATA_DIR"] = dataDir;
        start.Environment["AITRADER_ARTIFACTS_DIR"] = Path.Combine(_root, "artifacts");
        start.Environment["AITRADER_BAR_CACHE"] = "off";
        start.Environment.Remove("DATABASE_URL");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Uri? address = null;
        while (address is null && await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            stderr.AppendLine(line);
            if (Regex.Match(line, @"listening on (http://127\.0\.0\.1:\d+)") is { Success: true } m)
            {
                address = new Uri(m.Groups[1].Value);
            }
        }

        Assert.NotNull(address);
        var rest = process.StandardError.ReadToEndAsync(timeout.Token);
        using var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready", timeout.Token)).StatusCode);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var submitted = await client.PostAsync("/api/backtests",
                new StringContent("""{"symbol":"SPY","start":"1998-01-01"}""", Encoding.UTF8, "application/json"), timeout.Token);
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            ids.Add((await submitted.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("id").GetString()!);
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(timeout.Token);
        }

        await process.WaitForExitAsync(timeout.Token);
        var errors = stderr + await rest;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {errors}");
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal); // no stack trace
        await stdout;

        // Every job ended in a finished state (none left queued or running); a cancelled one says why.
        await using var jobs = JobStoreFactory.Create(null, dataDir);
        foreach (var id in ids)
        {
            var job = await jobs.GetAsync(id, timeout.Token);
            Assert.NotNull(job);
            Assert.True(job.IsFinished, $"{id} is {job.State}");
            Assert.True(job.State is JobState.Succeeded or JobState.Cancelled, $"{id}: {job.State} {job.Error}");
            if (job.State == JobState.Cancelled)
            {
                Assert.Equal("service stopped", job.Error);
            }
        }
    }
}
