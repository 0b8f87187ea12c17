using AiTrader.Core.Strategies;

namespace AiTrader.Core.Risk.Sizing;

/// <summary>A position sizer that says, in words, how it sized its most recent request (journaled with the entry).</summary>
public interface IExplainedPositionSizer : IPositionSizer
{
    /// <summary>The explanation of the last <see cref="IPositionSizer.Size"/> call; empty before the first.</summary>
    string LastExplanation { get; }
}
