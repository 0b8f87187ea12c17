using AiTrader.Core.Agents;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;

namespace AiTrader.Application.Sessions;

/// <summary>A position of a paper session: net shares, the last mark and what they are worth at it.</summary>
public sealed record SessionPosition(string Symbol, decimal Quantity, decimal? Mark, decimal? MarketValue);

/// <summary>An order still working at the simulated exchange (new or partly filled).</summary>
public sealed record WorkingOrder(string Id, string Symbol, string Side, string Type, decimal Quantity, decimal Filled, decimal? LimitPrice,
    decimal? StopPrice, DateTime CreatedAt, string Reason);

/// <summary>A paper session's account as its last snapshot has it (the runner writes one whenever the exchange changed):
/// cash and positions worked out from the fills, marks, equity, and the working orders.</summary>
public sealed record SessionBook(string RunId, DateTime? AsOfUtc, decimal Cash, decimal Equity, IReadOnlyList<SessionPosition> Positions,
    IReadOnlyList<WorkingOrder> WorkingOrders, int Fills)
{
    /// <summary>The book of run <paramref name="runId"/> from its snapshot under <paramref name="stateDirectory"/>; null
    /// when the run has no snapshot yet (nothing has happened at its exchange).</summary>
    public static SessionBook? Read(string stateDirectory, string runId)
    {
        var path = TradingSessionRunner.SnapshotPath(stateDirectory, runId);
        if (!File.Exists(path))
        {
            return null;
        }

        var snapshot = TradingSessionRunner.Snapshot.Read(path);
        var state = snapshot.Exchange;
        // Cash from the fills, in exact decimals: each buy pays price × quantity, each sell receives it, every fill pays its fee.
        var cash = state.InitialCash;
        var quantities = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var fill in state.Fills)
        {
            var signed = fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity;
            cash -= signed * fill.Price + fill.Fee;
            quantities[fill.Symbol.Value] = quantities.GetValueOrDefault(fill.Symbol.Value) + signed;
        }

        var positions = quantities.Where(q => q.Value != 0).Select(q =>
        {
            decimal? mark = state.Marks.TryGetValue(q.Key, out var m) ? m : null;
            return new SessionPosition(q.Key, q.Value, mark, mark * q.Value);
        }).ToList();
        var working = state.Orders.Where(o => o.Status is ExchangeOrderStatus.New or ExchangeOrderStatus.PartiallyFilled)
            .Select(o => new WorkingOrder(o.Order.Id, o.Order.Symbol.Value, o.Order.Side == OrderSide.Buy ? "buy" : "sell",
                o.Order.Type.ToString().ToLowerInvariant(), o.Order.Quantity, o.Filled, o.Order.LimitPrice, o.Order.StopPrice ?? o.StopLevel,
                o.Order.CreatedAt, o.Order.Reason))
            .ToList();
        var equity = cash + positions.Sum(p => p.MarketValue ?? 0m);
        return new SessionBook(runId, snapshot.LastProcessedUtc, cash, equity, positions, working, state.Fills.Count);
    }
}
