// Entry point of widget.js. Embedding is one tag:
//   <script src="https://chat.example.org/widget/static/widget.js" data-title="..." defer></script>
// It mounts itself from the tag's data-attributes, unless the tag says data-mount="manual";
// then the page calls TrustRepairWidget.mount({ ...options }).

import { readOptions } from "./options.js";
import { mountWidget } from "./widget.js";

const script = document.currentScript; // only available while this file first runs
let mounted = null;

function mount(given = {}) {
  if (!mounted) {
    mounted = mountWidget(window, readOptions(given, script ? script.src : "", window.location.href));
  }
  return mounted;
}

window.TrustRepairWidget = Object.freeze({ mount });

if (script && script.dataset.mount !== "manual") {
  const auto = () => mount({ ...script.dataset });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", auto, { once: true });
  else auto();
}
