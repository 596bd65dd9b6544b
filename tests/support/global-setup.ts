import '@opcommerce/shared/node-version'
import { prepareTemplateDatabase } from './template-database'

export default async function globalSetup(): Promise<void> {
  Object.assign(process.env, await prepareTemplateDatabase())
}
