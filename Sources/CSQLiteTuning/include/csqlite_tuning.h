#ifndef CSQLITE_TUNING_H
#define CSQLITE_TUNING_H

/// Turns off SQLite's memory statistics, which take a process-wide mutex on every allocation that
/// SQLite makes. Must run before SQLite is first used in the process (it is a sqlite3_config call);
/// returns SQLITE_OK, or SQLITE_MISUSE when SQLite is already initialized (then nothing changes).
int billingd_sqlite_disable_memory_statistics(void);

#endif
