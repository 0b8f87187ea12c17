namespace AiTrader.Storage;

/// <summary>A store's schema is at a version this build does not know: a newer AI Trader wrote it. Nothing is changed;
/// the fix is to run the newer build (restarting this one cannot help).</summary>
public sealed class SchemaNewerThanBuildException(string location, string store, int version, int known)
    : InvalidOperationException($"{location} is at schema version {version} of the {store} store, newer than this build knows ({known}); update AI Trader.")
{
    /// <summary>The store's name (<c>journal</c>, <c>jobs</c>, ...).</summary>
    public string Store { get; } = store;

    /// <summary>The version the database is at.</summary>
    public int Version { get; } = version;

    /// <summary>The newest version this build knows.</summary>
    public int Known { get; } = known;
}
