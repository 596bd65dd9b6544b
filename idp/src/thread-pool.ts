import { availableParallelism } from 'node:os'

/**
 * libuv's thread pool runs the argon2 hashes (and DNS lookups, file reads). Its default is 4
 * threads whatever the machine: on 2 cores, 4 hashes at once are no faster than 2 and hold
 * 19 MiB each. One thread per core, unless UV_THREADPOOL_SIZE is set. libuv reads the variable
 * when the pool first starts: main.ts imports this module before anything else runs.
 */
process.env.UV_THREADPOOL_SIZE ??= String(availableParallelism())
