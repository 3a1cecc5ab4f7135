#include <sqlite3.h>

// sqlite3_db_config is variadic, which Swift cannot call: this wrapper lets the engine's
// history skip the checkpoint (and its fsyncs) that SQLite otherwise runs on every close.
static inline int assay_sqlite3_disable_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
