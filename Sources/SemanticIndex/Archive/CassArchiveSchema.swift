// CassArchiveSchema: the tables of a fresh cass archive that the embedding job reads (meta, agents,
// workspaces, sources with its `local` row, conversations, messages), as cass creates them: the one
// definition the fixtures, benchmarks and fuzz targets build their archives from, kept beside the
// reader whose query (`CassArchive.messages(after:limit:)`) it must satisfy.
// A constant only: nothing in this module creates or writes an archive with it.

public enum CassArchiveSchema {
    /// SQL that creates the tables in an empty database (no PRAGMAs, no transaction).
    public static let creationSQL = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE agents (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, version TEXT,
            kind TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE workspaces (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, display_name TEXT);
        CREATE TABLE sources (id TEXT PRIMARY KEY, kind TEXT NOT NULL, host_label TEXT, machine_id TEXT,
            platform TEXT, config_json TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        INSERT INTO sources(id, kind, host_label, created_at, updated_at) VALUES ('local', 'local', NULL, 0, 0);
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            agent_id INTEGER NOT NULL REFERENCES agents(id),
            workspace_id INTEGER REFERENCES workspaces(id),
            source_id TEXT NOT NULL DEFAULT 'local' REFERENCES sources(id),
            external_id TEXT, title TEXT, source_path TEXT NOT NULL, started_at INTEGER, ended_at INTEGER,
            approx_tokens INTEGER, metadata_json TEXT, origin_host TEXT, metadata_bin BLOB,
            total_input_tokens INTEGER, total_output_tokens INTEGER, total_cache_read_tokens INTEGER,
            total_cache_creation_tokens INTEGER, grand_total_tokens INTEGER, estimated_cost_usd REAL,
            primary_model TEXT, api_call_count INTEGER, tool_call_count INTEGER, user_message_count INTEGER,
            assistant_message_count INTEGER, last_message_idx INTEGER, last_message_created_at INTEGER);
        CREATE UNIQUE INDEX idx_conversations_provenance ON conversations(source_id, agent_id, external_id);
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL, role TEXT NOT NULL, author TEXT, created_at INTEGER, content TEXT NOT NULL,
            extra_json TEXT, extra_bin BLOB,
            UNIQUE(conversation_id, idx));
        """
}
