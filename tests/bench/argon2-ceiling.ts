/**
 * The ceiling of complete logins in `npm run bench`: raw argon2 verifies of a hash made by the
 * idp (its parameters travel in the hash), `CONCURRENCY` at a time for `SECONDS`, in a process of
 * its own started with the idp's UV_THREADPOOL_SIZE, so on the same number of threads. Prints
 * the verifies per second and the cores used. Run with plain `node` (Node strips the types).
 */
import argon2 from 'argon2'

const hash = process.env.ARGON2_HASH!
const password = process.env.ARGON2_PASSWORD!
const concurrency = Number(process.env.CONCURRENCY)
const deadline = performance.now() + Number(process.env.SECONDS) * 1000

let verified = 0
const started = performance.now()
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      if (!(await argon2.verify(hash, password))) throw new Error('the ceiling verified a wrong password')
      verified++
    }
  }),
)
const elapsed = (performance.now() - started) / 1000 // seconds
const cpu = process.cpuUsage() // microseconds, since this process started
console.log(JSON.stringify({ perSecond: verified / elapsed, cores: (cpu.user + cpu.system) / 1e6 / elapsed }))
