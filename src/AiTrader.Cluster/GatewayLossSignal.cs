namespace AiTrader.Cluster;

/// <summary>Tells a client's sweeps the moment a gateway connection drops (a silo died or left). The client learns of it
/// at once, while a call in flight to that silo would only fail at its response timeout, so a sweep sends its unfinished
/// cells again on this signal and lets the ledger keep whichever answer comes first.</summary>
public sealed class GatewayLossSignal
{
    private TaskCompletionSource _next = NewSource();

    /// <summary>Completes at the next loss of a gateway connection after it was read.</summary>
    public Task NextLoss => Volatile.Read(ref _next).Task;

    /// <summary>Gateway connections lost since the client started.</summary>
    public int Losses { get; private set; }

    /// <summary>For the client's gateway-count handler: a drop in connected gateways is a loss.</summary>
    public void OnGatewayCountChanged(object? sender, GatewayCountChangedEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.NumberOfConnectedGateways < e.PreviousNumberOfConnectedGateways)
        {
            Losses++;
            Interlocked.Exchange(ref _next, NewSource()).TrySetResult();
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
