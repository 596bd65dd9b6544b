import { createLogger } from '@opcommerce/shared/logger'

/** Tests keep their output readable: only errors are logged. */
export const testLogger = createLogger('test', process.env.LOG_LEVEL ?? 'error')
