using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AiTrader.Core.IO;

namespace AiTrader.Core.Agents;

/// <summary>What a trading run was started with and where it is: the record that lets the same command resume it.</summary>
/// <param name="Mode">replay, paper (live stream, paper fills) or live (a real broker).</param>
/// <param name="Settings">Everything that shapes its orders (capital, strategy, parameters, symbols, ...), as text.</param>
/// <param name="Status">running (or crashed: a running run whose lock nobody holds), finished, or stopped (ended cleanly
/// before its end; resumed only when asked by id).</param>
public sealed record RunManifest(
    string RunId,
    string Mode,
    IReadOnlyDictionary<string, string> Settings,
    string Status,
    DateTime StartedUtc,
    DateTime UpdatedUtc)
{
    public const string Running = "running";
    public const string Finished = "finished";
    public const string Stopped = "stopped";
}

/// <summary>The trading runs under a state directory (<c>runs/&lt;run-id&gt;.json</c>): which one an unqualified command
/// resumes, and whether its settings match.</summary>
public sealed class RunRegistry
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly string _directory;
    private readonly TimeProvider _clock;

    public RunRegistry(string stateDirectory, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        _directory = Path.Combine(stateDirectory, "runs");
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>A new run id no other run has: <c>{mode}-{yyMMddHHmmss UTC}{4 random hex digits}</c>, short enough that
    /// client order ids built on it (at most 48 characters) stay readable for tickers of up to five letters.</summary>
    public string NewRunId(string mode)
    {
        while (true)
        {
            var id = string.Create(CultureInfo.InvariantCulture,
                $"{mode}-{_clock.GetUtcNow().UtcDateTime:yyMMddHHmmss}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}");
            if (!File.Exists(PathOf(id)))
            {
                return id;
            }
        }
    }

    public RunManifest? Load(string runId)
    {
        var path = PathOf(runId);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The run record {path} is damaged ({ex.Message}); move it away to start afresh.", ex);
        }
    }

    /// <summary>The newest <see cref="RunManifest.Running"/> run of <paramref name="mode"/>, or null.</summary>
    public RunManifest? LatestUnfinished(string mode)
    {
        if (!Directory.Exists(_directory))
        {
            return null;
        }

        return Directory.EnumerateFiles(_directory, "*.json")
            .Select(f => Load(Path.GetFileNameWithoutExtension(f)))
            .Where(m => m is not null && m.Mode == mode && m.Status == RunManifest.Running)
            .OrderByDescending(m => m!.StartedUtc)
            .FirstOrDefault();
    }

    /// <summary>Records a new run (status running).</summary>
    public RunManifest Start(string runId, string mode, IReadOnlyDictionary<string, string> settings)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var manifest = new RunManifest(runId, mode, new SortedDictionary<string, string>(settings.ToDictionary(), StringComparer.Ordinal),
            RunManifest.Running, now, now);
        Save(manifest);
        return manifest;
    }

    public void SetStatus(string runId, string status)
    {
        if (Load(runId) is { } manifest)
        {
            Save(manifest with { Status = status, UpdatedUtc = _clock.GetUtcNow().UtcDateTime });
        }
    }

    /// <summary>The first setting that differs, as "name: was X, now Y", or null when they match.</summary>
    public static string? Difference(IReadOnlyDictionary<string, string> recorded, IReadOnlyDictionary<string, string> requested)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(requested);
        foreach (var name in recorded.Keys.Union(requested.Keys).Order(StringComparer.Ordinal))
        {
            var was = recorded.GetValueOrDefault(name) ?? "(not set)";
            var now = requested.GetValueOrDefault(name) ?? "(not set)";
            if (!string.Equals(was, now, StringComparison.Ordinal))
            {
                return $"{name}: the run has {was}, this command {now}";
            }
        }

        return null;
    }

    private void Save(RunManifest manifest)
    {
        Directory.CreateDirectory(_directory);
        AtomicFile.WriteAllText(PathOf(manifest.RunId), JsonSerializer.Serialize(manifest, Json));
    }

    private string PathOf(string runId) => Path.Combine(_directory, runId + ".json");
}

/// <summary>Thrown when another process drives the run.</summary>
public sealed class RunLockedException(string message) : Exception(message);

/// <summary>Thrown when a run cannot be resumed as it was: re-running its bars does not reproduce its saved orders and fills.</summary>
public sealed class RunMismatchException(string message) : InvalidOperationException(message);

/// <summary>An exclusive lock on one run (<c>runs/&lt;run-id&gt;.lock</c>), held while a process drives it: two processes
/// can never drive one run at once. The operating system releases it when the process ends, even by kill -9.</summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    /// <exception cref="RunLockedException">Another process holds the lock.</exception>
    public static RunLock Acquire(string stateDirectory, string runId)
    {
        var directory = Path.Combine(stateDirectory, "runs");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, runId + ".lock");
        // Who holds it goes in a side file: the locked file itself cannot be read by another process while it is held.
        var owner = Path.Combine(directory, runId + ".owner");
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            AtomicFile.WriteAllText(owner, string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}"));
            return new RunLock(stream);
        }
        catch (IOException)
        {
            var holder = File.Exists(owner) ? File.ReadAllText(owner).Trim() : null;
            throw new RunLockedException(
                $"run {runId} is being driven by another process{(string.IsNullOrEmpty(holder) ? "" : $" ({holder})")}; wait for it to end or stop it first.");
        }
    }

    public void Dispose() => _stream.Dispose();
}
