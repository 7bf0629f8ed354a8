// chromium.mjs — how every test and benchmark here starts Debian's Chromium, and the guard that
// keeps a page from reaching any host but the local test server (see shared TOOLCHAIN notes:
// without the background-networking flags Chromium tries the network at start).
export const CHROMIUM = process.env.CHROMIUM ?? process.env.FLOWLENS_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // Belt and braces: no host name resolves except the test server's address.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** True for a URL the page may load: the test server's origin, blob: and data:. */
export function isOwnUrl(url, origin) {
  return url.startsWith(`${origin}/`) || url.startsWith('blob:') || url.startsWith('data:');
}

/**
 * Refuses every request of `context` that is not for `origin` (or blob:/data:) and records it in
 * `foreign`, so a leak fails loudly instead of hanging.
 */
export async function refuseOtherOrigins(context, origin, foreign) {
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (isOwnUrl(u, origin)) return route.continue();
    foreign.push(u);
    return route.abort('blockedbyclient');
  });
}
