namespace AiTrader.Core.Domain;

public static class ArgumentExceptions
{
    /// <summary>The message without the <c> (Parameter 'name')</c> suffix .NET appends: the reason, as a one-line error
    /// for a person shows it.</summary>
    public static string Reason(this ArgumentException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Message.Split(" (Parameter", 2)[0];
    }
}
