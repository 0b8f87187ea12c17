namespace AiTrader.Storage;

/// <summary>Marker for the storage assembly (Parquet snapshots, SQLite and PostgreSQL repositories).</summary>
public static class StorageAssembly;
