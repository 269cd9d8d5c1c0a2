#include <sqlite3.h>
#include "csqlite_tuning.h"

// sqlite3_config takes variable arguments, which Swift cannot pass: hence this C function.
int billingd_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
