#ifndef PINADS_COPENSSL_SHIM_H
#define PINADS_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#endif
