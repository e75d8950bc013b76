using Microsoft.Data.Sqlite;

namespace Pype.Actors.Storage;

/// <summary>A database that cannot be trusted; start-up stops and the file is left as it is.</summary>
public sealed class DatabaseCorruptException(string path, string problem)
    : Exception($"the database {path} is damaged ({problem}); it was not changed. Move it aside to start with an empty one, or restore a backup.")
{
    public string DatabasePath { get; } = path;
}

/// <summary>
/// Checks an existing SQLite database before persistence opens it, so that a damaged file stops
/// start-up with a clear error instead of being half-used or rewritten by table creation.
/// </summary>
public static class DatabaseGuard
{
    public static void EnsureUsable(string path)
    {
        if (!File.Exists(path)) return;
        if (new FileInfo(path).Length == 0) return; // SQLite treats an empty file as an empty database.
        try
        {
            // ReadWrite (not ReadWriteCreate): a hot journal left by a kill -9 must be rolled back,
            // which is SQLite's own recovery; nothing else is written.
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWrite,
                Pooling = false,
            }.ToString());
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check;";
            var results = new List<string>();
            using (var reader = check.ExecuteReader())
                while (reader.Read()) results.Add(reader.GetString(0));
            if (results is not ["ok"])
                throw new DatabaseCorruptException(path, string.Join("; ", results.Take(3)));
        }
        catch (SqliteException ex)
        {
            throw new DatabaseCorruptException(path, ex.Message);
        }
    }
}
