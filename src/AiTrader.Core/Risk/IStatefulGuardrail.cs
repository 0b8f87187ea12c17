namespace AiTrader.Core.Risk;

/// <summary>A guardrail whose memory (high-water mark, session baseline, halts, order window, kill switch) must survive a
/// restart: it exports it as JSON and restores it before the first new observation.</summary>
public interface IStatefulGuardrail : IGuardrail
{
    /// <summary>The state as a JSON object (decimals exact, instants UTC).</summary>
    string ExportState();

    /// <summary>Replaces the state with one from <see cref="ExportState"/>.</summary>
    void RestoreState(string json);
}
