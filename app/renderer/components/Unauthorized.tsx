export function Unauthorized() {
  return (
    <section className="card center" role="alert">
      <h2>Token rejected</h2>
      <p>This page has no valid access token for the orchestrator. Open the dashboard again with</p>
      <pre className="code">pipedai-orchestrator dashboard --open</pre>
      <p className="muted">The command prints (or opens) a fresh link that signs this page in.</p>
    </section>
  );
}
