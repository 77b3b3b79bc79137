#!/usr/bin/env bash
# Bundles the parts of the Firebase JS SDK the pages use (app, auth, firestore) from
# node_modules/firebase into web/vendor/firebase.js (and Chart.js into web/vendor/chart.js),
# ES modules the browser loads from our own origin: no CDN, so the pages work offline and on
# Hosting alike. Idempotent and fast: it rebuilds only when the lock file or this script changed
# (esbuild takes ~1 s when it does).
set -euo pipefail
cd "$(dirname "$0")/.."

out=web/vendor/firebase.js
charts=web/vendor/chart.js
stamp=web/vendor/.build.sha
want=$(cat package-lock.json "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ -f "$charts" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
[ -x node_modules/.bin/esbuild ] || { echo "build-web: node_modules/.bin/esbuild missing; run npm ci first" >&2; exit 1; }

mkdir -p web/vendor
# Only the names web/lib/firebase.js imports, so tree-shaking keeps the bundle small.
node_modules/.bin/esbuild --bundle --format=esm --platform=browser --target=es2020 --minify \
  --legal-comments=none --log-level=warning --outfile="$out.tmp" --sourcefile=firebase-entry.js <<'JS'
export { initializeApp, getApps, deleteApp } from "firebase/app";
export {
  getAuth, connectAuthEmulator, signInWithCustomToken, signInWithEmailAndPassword,
  onAuthStateChanged, signOut,
} from "firebase/auth";
export {
  initializeFirestore, connectFirestoreEmulator, terminate, collection, doc, query, where,
  orderBy, limit, onSnapshot,
} from "firebase/firestore";
JS
mv "$out.tmp" "$out"
# Chart.js for the admin page (/admin): only the chart types and parts it draws.
node_modules/.bin/esbuild --bundle --format=esm --platform=browser --target=es2020 --minify \
  --legal-comments=none --log-level=warning --outfile="$charts.tmp" --sourcefile=chart-entry.js <<'JS'
import {
  Chart, BarController, BarElement, LineController, LineElement, PointElement, DoughnutController,
  ArcElement, CategoryScale, LinearScale, LogarithmicScale, Filler, Legend, Tooltip,
} from "chart.js";
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, DoughnutController,
  ArcElement, CategoryScale, LinearScale, LogarithmicScale, Filler, Legend, Tooltip);
export { Chart };
JS
mv "$charts.tmp" "$charts"
echo "$want" > "$stamp"
echo "==> built $out ($(du -k "$out" | cut -f1) KiB), $charts ($(du -k "$charts" | cut -f1) KiB)"
