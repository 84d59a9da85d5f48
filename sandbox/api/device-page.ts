// The verification page of device pairing (`verificationUri`): approve or deny a user code by
// hand, through the /sandbox controls. The code is read from the query by the script, never
// interpolated into the HTML.
export const devicePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PipedAI sandbox: pair a device</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'">
<style>body{font:16px system-ui,sans-serif;margin:3em auto;max-width:28em}input{font:inherit;letter-spacing:.1em}</style>
</head><body>
<h1>Pair a device</h1>
<p><label>User code <input id="code" autocomplete="off" maxlength="16"></label></p>
<p><button id="approve">Approve</button> <button id="deny">Deny</button></p>
<p id="out" role="status"></p>
<script>
const code = document.getElementById('code');
const out = document.getElementById('out');
code.value = new URLSearchParams(location.search).get('user_code') || '';
for (const action of ['approve', 'deny']) {
  document.getElementById(action).addEventListener('click', async () => {
    const res = await fetch('/sandbox/device/' + action, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userCode: code.value }),
    });
    const body = await res.json().catch(() => ({}));
    out.textContent = res.ok ? 'Device ' + body.status + '.' : 'Failed: ' + (body.error || res.status);
  });
}
</script>
</body></html>
`;
