import { renderPage as renderSharedPage, type PageOptions } from '@opcommerce/shared/ui/page'

/** Every page of the idp, with its own assets. */
export const renderPage = (options: Omit<PageOptions, 'assets'>): string => renderSharedPage({ ...options, assets: '/assets' })
