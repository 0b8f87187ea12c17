using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AiTrader.Integration.Tests.Vendors;

/// <summary>Vendor answers written in the vendors' real shapes (Vendors/Recorded, from the vendors' documentation and
/// ../shared/docs/vendor-apis.md): Yahoo's float noise and null rows, Alpaca's paged answers, Alpha Vantage's adjusted
/// series and its quota texts.</summary>
public static partial class RecordedPayloads
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Vendors", "Recorded");

    public static string Read(string name) => File.ReadAllText(Path.Combine(Folder, name));

    /// <summary>The structure of a JSON document: which keys, which value kinds. Keys that are data (dates, epoch
    /// seconds) are folded into one "map" entry so two answers with different dates have the same shape.</summary>
    public sealed class Shape
    {
        public bool Null { get; private set; }
        public bool Number { get; private set; }
        public bool String { get; private set; }
        public bool Bool { get; private set; }
        public Shape? Array { get; private set; }
        public Dictionary<string, Shape>? Object { get; private set; }
        public Shape? Map { get; private set; }

        public static Shape Of(string json) => Of(JsonNode.Parse(json));

        public static Shape Of(JsonNode? node)
        {
            var shape = new Shape();
            shape.Add(node);
            return shape;
        }

        private void Add(JsonNode? node)
        {
            switch (node)
            {
                case null:
                    Null = true;
                    break;
                case JsonArray array:
                    Array ??= new Shape();
                    foreach (var item in array)
                    {
                        Array.Add(item);
                    }

                    break;
                case JsonObject obj when obj.Count == 0 || obj.All(p => DataKey().IsMatch(p.Key)):
                    Map ??= new Shape();
                    foreach (var p in obj)
                    {
                        Map.Add(p.Value);
                    }

                    break;
                case JsonObject obj:
                    Object ??= [];
                    foreach (var p in obj)
                    {
                        if (!Object.TryGetValue(p.Key, out var child))
                        {
                            Object[p.Key] = child = new Shape();
                        }

                        child.Add(p.Value);
                    }

                    break;
                case JsonValue value:
                    switch (value.GetValueKind())
                    {
                        case System.Text.Json.JsonValueKind.Number: Number = true; break;
                        case System.Text.Json.JsonValueKind.String: String = true; break;
                        case System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False: Bool = true; break;
                        default: Null = true; break;
                    }

                    break;
            }
        }

        /// <summary>Differences that make <paramref name="fake"/> drift from this (recorded) shape: a key the vendor sends
        /// that the fake lacks or the other way round, or a value kind the vendor never sends. Empty when none.</summary>
        public List<string> Drift(Shape fake, string path = "$")
        {
            var problems = new List<string>();
            void Kind(bool fakeHas, bool realHas, string kind)
            {
                if (fakeHas && !realHas)
                {
                    problems.Add($"{path}: the fake sends {kind}, the vendor does not");
                }
            }

            Kind(fake.Null, Null, "null");
            Kind(fake.Number, Number, "a number");
            Kind(fake.String, String, "a string");
            Kind(fake.Bool, Bool, "a boolean");
            Kind(fake.Array is not null, Array is not null, "an array");
            Kind(fake.Map is not null, Map is not null || Object is not null, "an object keyed by data");
            Kind(fake.Object is not null, Object is not null, "an object");
            if (fake.Array is { } fa && Array is { } ra)
            {
                problems.AddRange(ra.Drift(fa, path + "[]"));
            }

            if (fake.Map is { } fm && Map is { } rm)
            {
                problems.AddRange(rm.Drift(fm, path + ".*"));
            }

            if (fake.Object is { } fo && Object is { } ro)
            {
                foreach (var key in ro.Keys.Except(fo.Keys))
                {
                    problems.Add($"{path}.{key}: the vendor sends it, the fake does not");
                }

                foreach (var key in fo.Keys.Except(ro.Keys))
                {
                    problems.Add($"{path}.{key}: the fake sends it, the vendor does not");
                }

                foreach (var key in fo.Keys.Intersect(ro.Keys))
                {
                    problems.AddRange(ro[key].Drift(fo[key], $"{path}.{key}"));
                }
            }

            return problems;
        }
    }

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?|\d+)$")]
    private static partial Regex DataKey();
}
