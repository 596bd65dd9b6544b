import type { Tool } from '@opcommerce/shared/queries/clients'

/** The tools of the launcher: each link starts the tool's own login, answered by single sign-on. */
export function ToolTiles({ tools }: { tools: Tool[] }) {
  if (tools.length === 0) return <p className="muted">Aucun outil n&apos;est disponible pour le moment.</p>
  return (
    <ul className="tiles">
      {tools.map((tool) => (
        <li key={tool.clientId}>
          <a className="tile" href={tool.href}>
            <span className="tile__title">{tool.name}</span>
            {tool.description && <span className="muted">{tool.description}</span>}
          </a>
        </li>
      ))}
    </ul>
  )
}
