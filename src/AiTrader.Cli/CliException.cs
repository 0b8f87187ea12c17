namespace AiTrader.Cli;

/// <summary>A problem with the user's input that the CLI reports as one line and exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);

/// <summary>Exit codes of the <c>aitrader</c> command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>An unexpected failure (a bug, an I/O error).</summary>
    public const int Failure = 1;

    /// <summary>Bad input: invalid flag, unknown symbol or strategy, empty range, malformed data.</summary>
    public const int BadInput = 2;

    /// <summary>A transient failure upstream (a vendor's rate limit or server error, a stream that dropped and did not
    /// recover, an unreachable database): nothing is wrong with the input; retry later (EX_TEMPFAIL).</summary>
    public const int TempFail = 75;
}
