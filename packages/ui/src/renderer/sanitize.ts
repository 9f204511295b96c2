// Turns untrusted mail HTML into an inert document for a sandboxed iframe. DOMPurify removes
// scripts, event handlers, forms and meta refreshes, and remote images lose their source.
// Links lose their href and are listed for the app to open after confirmation. The document
// carries its own Content-Security-Policy that allows no network request at all, unless the
// user allowed remote images for this one message: then https: images (and nothing else) load.

import DOMPurify from 'dompurify';

export interface SanitizedMail {
  /** The full document for the iframe's srcdoc. */
  srcdoc: string;
  /** Links found in the message, in order, for the app to show outside the message area. */
  links: string[];
  /** How many remote images, backgrounds or styles were blocked. */
  blockedRemote: number;
  /** How many https: images were kept because remote images were allowed for this message. */
  allowedRemote: number;
}

export interface SanitizeOptions {
  /**
   * Keeps `<img src="https://…">` and lets the frame's policy load https: images. Set it only
   * after the user requested it on this message, because each image request shows the
   * sender's server that and when the message was read. Scripts, CSS url() and media stay blocked.
   */
  allowRemoteImages: boolean;
}

// default-src 'none' also covers url() in CSS, fonts, media, frames, prefetch and forms.
export const MAIL_CONTENT_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** The frame's policy after the user allowed remote images: https: images only, never script. */
export const MAIL_CONTENT_POLICY_REMOTE_IMAGES =
  "default-src 'none'; img-src data: https:; style-src 'unsafe-inline'";

const REMOTE_URL = /^\s*(?:https?:|\/\/|ftp:)/i;
const HTTPS_URL = /^\s*https:\/\//i;
const CSS_URL = /url\s*\(/i;

export function sanitizeMailHtml(
  html: string,
  options: SanitizeOptions = { allowRemoteImages: false },
): SanitizedMail {
  const links: string[] = [];
  let blockedRemote = 0;
  let allowedRemote = 0;

  const purifier = DOMPurify();
  purifier.addHook('afterSanitizeAttributes', (node) => {
    const element = node as Element;
    if (element.tagName === 'A') {
      const href = element.getAttribute('href');
      if (href && !href.startsWith('#')) {
        links.push(href);
        element.setAttribute('title', href);
      }
      element.removeAttribute('href');
      element.removeAttribute('target');
    }
    for (const attribute of ['src', 'background', 'poster']) {
      const value = element.getAttribute(attribute);
      const image = element.tagName === 'IMG' && attribute === 'src';
      if (value !== null && image && options.allowRemoteImages && HTTPS_URL.test(value)) {
        allowedRemote += 1;
      } else if (value !== null && REMOTE_URL.test(value)) {
        element.removeAttribute(attribute);
        blockedRemote += 1;
      }
    }
    const style = element.getAttribute('style');
    if (style !== null && CSS_URL.test(style)) {
      element.setAttribute('style', style.replace(/url\s*\([^)]*\)/gi, 'none'));
      blockedRemote += 1;
    }
  });
  purifier.addHook('uponSanitizeElement', (node, data) => {
    if (data.tagName === 'style' && CSS_URL.test(node.textContent ?? '')) {
      node.textContent = (node.textContent ?? '').replace(/url\s*\([^)]*\)/gi, 'none');
      blockedRemote += 1;
    }
  });

  const body = purifier.sanitize(html, {
    FORBID_TAGS: [
      'form',
      'input',
      'button',
      'select',
      'textarea',
      'meta',
      'link',
      'base',
      'iframe',
      'frame',
      'object',
      'embed',
      'svg',
      'math',
    ],
    FORBID_ATTR: ['action', 'formaction', 'srcset', 'ping', 'http-equiv'],
    ALLOW_DATA_ATTR: false,
  });

  const policy = options.allowRemoteImages
    ? MAIL_CONTENT_POLICY_REMOTE_IMAGES
    : MAIL_CONTENT_POLICY;
  const srcdoc =
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${policy}">` +
    '<meta name="referrer" content="no-referrer">' +
    '<style>body{font-family:system-ui,sans-serif;margin:12px;word-wrap:break-word}</style>' +
    `</head><body>${body}</body></html>`;
  return { srcdoc, links, blockedRemote, allowedRemote };
}

/** Finds http(s) links in plain text, for the app's link list. */
export function findTextLinks(text: string): string[] {
  return [...text.matchAll(/\bhttps?:\/\/[^\s<>"')]+/gi)].map((match) => match[0]);
}
