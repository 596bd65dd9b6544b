/** The "O" mark of the header, as the browsers' tab icon (idp and portal). */
export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0a4d8c"/><text x="16" y="22.5" font-family="Arial, sans-serif" font-size="18" font-weight="700" text-anchor="middle" fill="#fff">O</text></svg>'
