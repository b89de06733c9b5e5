// teamsops dashboard: copy buttons, and pages that follow changes through
// server-sent events. Every page works without this file.
(() => {
  'use strict';

  for (const pre of document.querySelectorAll('pre[data-copy]')) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy ' + pre.dataset.copy);
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent);
        button.textContent = 'Copied';
      } catch {
        const range = document.createRange();
        range.selectNodeContents(pre);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        button.textContent = 'Selected: copy it';
      }
      setTimeout(() => { button.textContent = 'Copy'; }, 2000);
    });
    pre.before(button);
  }

  const live = document.getElementById('live');
  if (!live || !window.EventSource) {
    return;
  }
  const first = live.dataset.first === 'true';
  const source = new EventSource(live.dataset.events);
  let opened = false;
  let refreshing = null;

  // refresh reads the page again and swaps in what may have changed: after
  // a reconnection, or when the server says changes may have been missed.
  const refresh = () => {
    if (refreshing) {
      return refreshing;
    }
    refreshing = (async () => {
      try {
        const res = await fetch(location.href, {credentials: 'same-origin', headers: {Accept: 'text/html'}});
        if (!res.ok) {
          return;
        }
        const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
        for (const el of document.querySelectorAll('[data-swap]')) {
          const next = doc.getElementById(el.id);
          if (next) {
            el.replaceWith(document.importNode(next, true));
          }
        }
      } catch {
        // The next event or reconnection tries again.
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  source.addEventListener('open', () => {
    live.textContent = 'Live: changes appear as they happen.';
    live.classList.add('on');
    if (opened) {
      refresh();
    }
    opened = true;
  });
  source.addEventListener('error', () => {
    // A refused stream (the session ended) is not retried by the browser.
    live.textContent = source.readyState === EventSource.CLOSED
      ? 'Not following changes any more: reload the page.'
      : 'Reconnecting to follow changes…';
    live.classList.remove('on');
  });
  source.addEventListener('row', (e) => {
    const data = JSON.parse(e.data);
    const old = document.getElementById(data.key);
    const rows = document.getElementById('rows');
    if (old) {
      old.outerHTML = data.html;
    } else if (first && rows) {
      rows.querySelector('tr.empty')?.remove();
      rows.insertAdjacentHTML('afterbegin', data.html);
    } else {
      return;
    }
    document.getElementById(data.key)?.classList.add('fresh');
  });
  source.addEventListener('gone', (e) => {
    document.getElementById(JSON.parse(e.data).key)?.remove();
  });
  source.addEventListener('refresh', refresh);
  source.addEventListener('operation', refresh);
})();
