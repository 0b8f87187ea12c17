using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Backtesting;

/// <summary>A run's orders and their fills as culture-free text, one line per fill, and its SHA-256: the fingerprint
/// regression pins compare so any change in what was sent or how it filled shows up.</summary>
/// <remarks>
/// Columns, comma-separated, each line ending in '\n':
/// <c>id,side,type,quantity,stop_price,decision_time,fill_time,fill_quantity,fill_price,fee</c>.
/// Orders keep their send order; an order filled in several pieces gets one line per fill (order columns repeated),
/// an unfilled order one line with the four fill columns empty. Sides and types are lower case; times are UTC
/// <c>yyyy-MM-ddTHH:mm:ss[.fffffff]Z</c> (no trailing zero fractions); decimals are plain digits without trailing zeros,
/// so 1.6650 and 1.665 serialize alike and only a change of value changes the hash.
/// </remarks>
public static class CanonicalOrderLog
{
    /// <summary>The column names, in line order (not part of the hashed text).</summary>
    public const string Header = "id,side,type,quantity,stop_price,decision_time,fill_time,fill_quantity,fill_price,fee";

    /// <summary>The canonical text of <paramref name="result"/>'s orders and fills.</summary>
    /// <remarks>After the orders, one line per stop move (<c>amend,id,decision_time,stop_price</c>) and per cancelled
    /// remainder (<c>cancel,id,time,quantity</c>); a run with neither renders exactly as the orders alone.</remarks>
    public static string Render(BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder(Render(result.Orders, result.Fills));
        foreach (var a in result.StopAmendments)
        {
            sb.AppendJoin(',', "amend", a.OrderId, Time(a.Timestamp), Number(a.StopPrice)).Append('\n');
        }

        foreach (var c in result.Cancellations)
        {
            sb.AppendJoin(',', "cancel", c.OrderId, Time(c.Timestamp), Number(c.Quantity)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The canonical text of <paramref name="orders"/>, each followed by its fills from <paramref name="fills"/>
    /// (matched by order id, in their given order).</summary>
    public static string Render(IReadOnlyList<Order> orders, IReadOnlyList<Fill> fills)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(fills);
        var byOrder = fills.ToLookup(f => f.OrderId, StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (var order in orders)
        {
            // A limit order carries its price in the type column (limit:99.5), so market and stop lines are unchanged.
            var type = order.LimitPrice is { } limit ? $"{Lower(order.Type)}:{Number(limit)}" : Lower(order.Type);
            var prefix = string.Join(',', order.Id, Lower(order.Side), type, Number(order.Quantity),
                order.StopPrice is { } stop ? Number(stop) : "", Time(order.CreatedAt));
            var own = byOrder[order.Id];
            if (!own.Any())
            {
                sb.Append(prefix).Append(",,,,\n");
                continue;
            }

            foreach (var fill in own)
            {
                sb.Append(prefix).Append(',')
                    .AppendJoin(',', Time(fill.Timestamp), Number(fill.Quantity), Number(fill.Price), Number(fill.Fee))
                    .Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="text"/> encoded as UTF-8.</summary>
    public static string Sha256(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Lower-case hex SHA-256 of <see cref="Render(BacktestResult)"/>.</summary>
    public static string Sha256(BacktestResult result) => Sha256(Render(result));

    /// <summary>A decimal as plain invariant digits without trailing fractional zeros (never exponent notation).</summary>
    public static string Number(decimal value) =>
        value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static string Time(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}
