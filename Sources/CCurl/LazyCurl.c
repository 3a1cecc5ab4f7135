// The libcurl entry points this binary calls, resolved from libcurl.so.4 on first use.
//
// Linking libcurl made every process load it and the ~30 libraries behind it (TLS, Kerberos, LDAP,
// SSH, ...): about half of the start-up of `assay --version`. Only a run with a remote cache makes
// a request. Two callers: the remote cache's client (HTTPRequest.c), and Foundation's URLSession,
// which FlyingFox's ProxyHTTPHandler brings into the statically linked binary (Assay never calls
// it; its libcurl is this one, see Package.swift). Each function has the prototype of
// <curl/curl.h> and forwards to the library's own.
#define CURL_DISABLE_TYPECHECK  // its macros would rewrite the definitions of curl_easy_setopt & co.
#include "LazyCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

// Hidden: the executable must not export these names, or libcurl's calls to its own API would
// bind to the forwarders instead of to itself.
#pragma GCC visibility push(hidden)
#include <curl/curl.h>

// Debian's libcurl4 (OpenSSL flavour); scripts/setup.sh installs it with libcurl4-openssl-dev.
static const char *const library_name = "libcurl.so.4";

#define CURL_FUNCTIONS(X)   \
    X(curl_global_init)     \
    X(curl_version)         \
    X(curl_version_info)    \
    X(curl_free)            \
    X(curl_easy_init)       \
    X(curl_easy_cleanup)    \
    X(curl_easy_reset)      \
    X(curl_easy_setopt)     \
    X(curl_easy_getinfo)    \
    X(curl_easy_perform)    \
    X(curl_easy_pause)      \
    X(curl_easy_strerror)   \
    X(curl_slist_append)    \
    X(curl_slist_free_all)  \
    X(curl_multi_init)      \
    X(curl_multi_cleanup)   \
    X(curl_multi_setopt)    \
    X(curl_multi_assign)    \
    X(curl_multi_add_handle) \
    X(curl_multi_remove_handle) \
    X(curl_multi_socket_action) \
    X(curl_multi_info_read) \
    X(curl_url)             \
    X(curl_url_get)         \
    X(curl_url_set)

// One pointer per function, typed by the header's own prototype.
static struct {
#define DECLARE(name) __typeof__(name) *name;
    CURL_FUNCTIONS(DECLARE)
#undef DECLARE
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static volatile int loaded = 0;
static char load_failure[256];

static void load(void) {
    void *handle = dlopen(library_name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(load_failure, sizeof load_failure, "%s", reason != NULL ? reason : library_name);
        return;
    }
#define RESOLVE(name)                                                                               \
    if ((curl.name = (__typeof__(name) *)dlsym(handle, #name)) == NULL) {                          \
        snprintf(load_failure, sizeof load_failure, "%s has no `%s`", library_name, #name);         \
        return;                                                                                     \
    }
    CURL_FUNCTIONS(RESOLVE)
#undef RESOLVE
    // Not thread-safe in libcurl 7.x: done once here, before any handle exists.
    if (curl.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(load_failure, sizeof load_failure, "%s failed to initialise", library_name);
        return;
    }
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

int assay_curl_load(const char **why) {
    if (!__atomic_load_n(&loaded, __ATOMIC_ACQUIRE)) pthread_once(&load_once, load);
    int ok = __atomic_load_n(&loaded, __ATOMIC_ACQUIRE);
    if (!ok && why != NULL) *why = load_failure;
    return ok;
}

#pragma GCC visibility pop

int assay_http_is_loaded(void) { return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE); }

#pragma GCC visibility push(hidden)

// Only URLSession gets here without asking assay_curl_load first; it cannot be told mid-request.
static inline void ensure_loaded(void) {
    const char *why = NULL;
    if (assay_curl_load(&why)) return;
    fprintf(stderr,
            "error: cannot use libcurl: %s\n"
            "  = help: install it (Debian/Ubuntu: apt-get install libcurl4) and rerun; cached stages are kept\n",
            why);
    exit(1);
}

// libcurl's variadic options take exactly one argument: a long, a curl_off_t, a data or a
// function pointer. On the 64-bit Linux ABIs Assay builds for (x86-64, AArch64) each travels in
// one integer register, so it is passed on as a pointer-sized word.
#define ONE_VARIADIC_WORD(last, word) \
    va_list arguments;                \
    va_start(arguments, last);        \
    void *word = va_arg(arguments, void *); \
    va_end(arguments);

CURLcode curl_global_init(long flags) {
    ensure_loaded();
    return curl.curl_global_init(flags);
}

char *curl_version(void) {
    ensure_loaded();
    return curl.curl_version();
}

curl_version_info_data *curl_version_info(CURLversion stamp) {
    ensure_loaded();
    return curl.curl_version_info(stamp);
}

void curl_free(void *p) {
    ensure_loaded();
    curl.curl_free(p);
}

CURL *curl_easy_init(void) {
    ensure_loaded();
    return curl.curl_easy_init();
}

void curl_easy_cleanup(CURL *handle) {
    ensure_loaded();
    curl.curl_easy_cleanup(handle);
}

void curl_easy_reset(CURL *handle) {
    ensure_loaded();
    curl.curl_easy_reset(handle);
}

CURLcode curl_easy_setopt(CURL *handle, CURLoption option, ...) {
    ensure_loaded();
    ONE_VARIADIC_WORD(option, value)
    return curl.curl_easy_setopt(handle, option, value);
}

CURLcode curl_easy_getinfo(CURL *handle, CURLINFO info, ...) {
    ensure_loaded();
    ONE_VARIADIC_WORD(info, result)
    return curl.curl_easy_getinfo(handle, info, result);
}

CURLcode curl_easy_perform(CURL *handle) {
    ensure_loaded();
    return curl.curl_easy_perform(handle);
}

CURLcode curl_easy_pause(CURL *handle, int bitmask) {
    ensure_loaded();
    return curl.curl_easy_pause(handle, bitmask);
}

const char *curl_easy_strerror(CURLcode code) {
    ensure_loaded();
    return curl.curl_easy_strerror(code);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *line) {
    ensure_loaded();
    return curl.curl_slist_append(list, line);
}

void curl_slist_free_all(struct curl_slist *list) {
    ensure_loaded();
    curl.curl_slist_free_all(list);
}

CURLM *curl_multi_init(void) {
    ensure_loaded();
    return curl.curl_multi_init();
}

CURLMcode curl_multi_cleanup(CURLM *multi) {
    ensure_loaded();
    return curl.curl_multi_cleanup(multi);
}

CURLMcode curl_multi_setopt(CURLM *multi, CURLMoption option, ...) {
    ensure_loaded();
    ONE_VARIADIC_WORD(option, value)
    return curl.curl_multi_setopt(multi, option, value);
}

CURLMcode curl_multi_assign(CURLM *multi, curl_socket_t socket, void *context) {
    ensure_loaded();
    return curl.curl_multi_assign(multi, socket, context);
}

CURLMcode curl_multi_add_handle(CURLM *multi, CURL *handle) {
    ensure_loaded();
    return curl.curl_multi_add_handle(multi, handle);
}

CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *handle) {
    ensure_loaded();
    return curl.curl_multi_remove_handle(multi, handle);
}

CURLMcode curl_multi_socket_action(CURLM *multi, curl_socket_t socket, int events, int *running) {
    ensure_loaded();
    return curl.curl_multi_socket_action(multi, socket, events, running);
}

CURLMsg *curl_multi_info_read(CURLM *multi, int *left) {
    ensure_loaded();
    return curl.curl_multi_info_read(multi, left);
}

CURLU *curl_url(void) {
    ensure_loaded();
    return curl.curl_url();
}

CURLUcode curl_url_get(CURLU *url, CURLUPart part, char **text, unsigned int flags) {
    ensure_loaded();
    return curl.curl_url_get(url, part, text, flags);
}

CURLUcode curl_url_set(CURLU *url, CURLUPart part, const char *text, unsigned int flags) {
    ensure_loaded();
    return curl.curl_url_set(url, part, text, flags);
}

#pragma GCC visibility pop
