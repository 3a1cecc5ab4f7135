// Within CCurl: libcurl loaded on demand (LazyCurl.c).
#ifndef ASSAY_LAZY_CURL_H
#define ASSAY_LAZY_CURL_H

#include "CCurl.h"

/// 1 when libcurl is loaded (loading it now if needed); else 0, with `*why` the loader's reason.
/// Call it before any curl_* function: those stop the process when the library is missing.
int assay_curl_load(const char **why);

#endif
