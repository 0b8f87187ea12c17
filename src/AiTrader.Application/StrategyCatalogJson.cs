using AiTrader.Core.Strategies;

namespace AiTrader.Application;

/// <summary>The strategies and their parameters as one JSON document, for <c>GET /api/strategies</c> and
/// <c>aitrader strategies --json</c>: an array of <c>name</c> and <c>parameters</c>, each parameter with <c>name</c>,
/// <c>default</c> (as typed in <c>--param name=value</c>) and <c>description</c>, in the catalog's order.</summary>
public static class StrategyCatalogJson
{
    public static string Write() => JsonText.Write(json =>
    {
        json.WriteStartArray();
        foreach (var name in StrategyCatalog.Names)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteObjects("parameters", StrategyCatalog.Describe(name), (w, p) =>
            {
                w.WriteString("name", p.Name);
                w.WriteString("default", p.Default);
                w.WriteString("description", p.Description);
            });
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });
}
