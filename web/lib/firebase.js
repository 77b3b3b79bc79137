// Browser-only: the Firebase SDK (bundled into /vendor/firebase.js by scripts/build-web.sh) and
// the project's config from Hosting's /__/firebase/init.json. Locally that file also names the
// emulators; on real Hosting it has no `emulators` key and the SDK talks to Google.

const loaded = new Map();

/**
 * { sdk, app, auth, db, config } for a named app. The widget uses its own app name so it never
 * collides with a host page that runs Firebase itself.
 */
export function loadFirebase(appName = "chatdesk") {
  if (!loaded.has(appName)) loaded.set(appName, init(appName));
  return loaded.get(appName);
}

async function init(appName) {
  const [sdk, config] = await Promise.all([
    import(new URL("../vendor/firebase.js", import.meta.url).href),
    fetch(new URL("/__/firebase/init.json", import.meta.url).href).then((r) => {
      if (!r.ok) throw new Error(`firebase config: HTTP ${r.status}`);
      return r.json();
    }),
  ]);
  const existing = sdk.getApps().find((a) => a.name === appName);
  const app = existing ?? sdk.initializeApp({ projectId: config.projectId, apiKey: config.apiKey, authDomain: config.authDomain }, appName);
  const auth = sdk.getAuth(app);
  // Long polling when the streaming channel is blocked (proxies); Firestore detects it itself.
  const db = sdk.initializeFirestore(app, { experimentalAutoDetectLongPolling: true });
  const emulators = config.emulators ?? {};
  if (emulators.auth) sdk.connectAuthEmulator(auth, emulators.auth, { disableWarnings: true });
  if (emulators.firestore) {
    const [host, port] = emulators.firestore.split(":");
    sdk.connectFirestoreEmulator(db, host, Number(port));
  }
  return { sdk, app, auth, db, config };
}

/** Stop the Firestore client once the page polls instead, so it stops retrying in the background. */
export async function stopFirestore(firebase) {
  try {
    await firebase.sdk.terminate(firebase.db);
  } catch {
    // already terminated
  }
}
