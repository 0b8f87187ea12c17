using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AiTrader.Tests.Shared;

/// <summary>xUnit's framework, except that a skipped test's reason is printed on the `dotnet test` console (as an
/// xUnit diagnostic message, which xunit.runner.json switches on), not only in the TRX file: a local run without
/// PostgreSQL or Azurite says right there what to start and which variable to export. tests/Directory.Build.props
/// compiles this file into every test project and names it as the project's xUnit test framework.</summary>
public sealed class SkipReasonsFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformation, IMessageSink diagnostics)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformation, diagnostics)
    {
        protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink,
            ITestFrameworkExecutionOptions executionOptions) =>
            base.RunTestCases(testCases, new SkipReasonSink(executionMessageSink, DiagnosticMessageSink), executionOptions);
    }

    /// <summary>Passes every message on; for a skipped test also writes "SKIP name: reason" as a diagnostic message.</summary>
    private sealed class SkipReasonSink(IMessageSink inner, IMessageSink diagnostics) : LongLivedMarshalByRefObject, IMessageSink
    {
        public bool OnMessage(IMessageSinkMessage message)
        {
            if (message is ITestSkipped skipped)
            {
                diagnostics.OnMessage(new DiagnosticMessage($"SKIP {skipped.Test.DisplayName}: {skipped.Reason}"));
            }

            return inner.OnMessage(message);
        }
    }
}
