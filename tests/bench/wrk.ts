import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface Load {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  /**
   * Refresh token grants: each request sends one of these tokens, and the token each answer
   * returns goes back in the pool (tokens rotate, so each is used once). One per connection.
   */
  refreshTokens?: string[]
}

export interface LoadResult {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Connection errors, timeouts and answers with a status of 400 or more. */
  errors: number
}

const lua = (value: string) => JSON.stringify(value) // a JSON string is a valid Lua string literal for our ASCII values

/** Drives `load` with wrk (Debian's package): one thread, `connections` kept busy for `seconds`. */
export async function wrk(load: Load, connections: number, seconds: number): Promise<LoadResult> {
  const script = [
    `wrk.method = ${lua(load.method ?? 'GET')}`,
    ...Object.entries(load.headers ?? {}).map(([name, value]) => `wrk.headers[${lua(name)}] = ${lua(value)}`),
    load.body ? `wrk.body = ${lua(load.body)}` : '',
    load.refreshTokens
      ? `
-- wrk calls request() once before the run to check it: that call gets the last, unused entry.
local pool = { ${[...load.refreshTokens, 'checked-by-wrk'].map(lua).join(', ')} }
request = function()
  local token = table.remove(pool) or "exhausted"
  return wrk.format(nil, nil, nil, "grant_type=refresh_token&refresh_token=" .. token)
end
response = function(status, headers, body)
  local token = body:match('"refresh_token":"([^"]+)"')
  if token then table.insert(pool, token) end
end`
      : '',
    // The first refused answer goes to the bench's output: an error column needs its reason.
    `
local told = false
local answered = response
response = function(status, headers, body)
  if status >= 400 and not told then
    told = true
    io.stderr:write("wrk: " .. status .. " " .. body:sub(1, 300) .. "\\n")
  end
  if answered then answered(status, headers, body) end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"duration":%d,"errors":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end`,
  ].join('\n')
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'opco-wrk-')), 'load.lua')
  writeFileSync(file, script)
  const { stdout, stderr } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', file, load.url], { maxBuffer: 1 << 20 })
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('WRK_RESULT '))
  if (!line) throw new Error(`wrk gave no result:\n${stdout}`)
  if (stderr) console.error(`${load.url}: ${stderr.trim()}`)
  const result = JSON.parse(line.slice('WRK_RESULT '.length)) as { requests: number; duration: number; errors: number; p50: number; p99: number }
  return {
    requestsPerSecond: result.requests / (result.duration / 1e6),
    p50Ms: result.p50 / 1000,
    p99Ms: result.p99 / 1000,
    errors: result.errors,
  }
}
