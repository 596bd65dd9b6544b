import { dropTemplateDatabase } from './template-database'

export default async function globalTeardown(): Promise<void> {
  await dropTemplateDatabase()
}
