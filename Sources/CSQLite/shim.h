// SQLite's C interface (apt: libsqlite3-dev), wrapped by SemanticIndex's SQLiteDatabase.
#include <sqlite3.h>
