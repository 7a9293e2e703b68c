/*
 * Signed HLS playback, checked by nginx itself: the nginx half of media/signing.py.
 *
 * A playback URL is /hls/<user>/<expires>/<signature>/<asset>/<path>, where
 *
 *     signature = base64url(HMAC-SHA256(MEDIA_SIGNING_KEY, "<user>/<expires>/<asset>")), unpadded
 *
 * and <expires> is a Unix time in seconds. metropoli.conf captures the four parts as
 * $hls_user, $hls_expires, $hls_signature and $hls_asset and sets $hls_valid from valid() below:
 * "1" when the signature is the key's and the URL has not expired, else "0".
 *
 * The key comes from nginx's environment: `env MEDIA_SIGNING_KEY;` in the main context
 * (nginx-main.conf). njs >= 0.8.8 honours that directive (without it the key is gone and every
 * URL is refused); njs < 0.8.8 (Debian 12 has 0.7.9) ignores it and sees the environment nginx
 * was started with. Either way the key is read when nginx starts: change it with a restart.
 * It is the same string as Django's MEDIA_SIGNING_KEY (its UTF-8 bytes are the HMAC key; keep it
 * ASCII, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`).
 *
 * Written for njs 0.7 (Debian 12's libnginx-mod-http-js): ES5 syntax plus the crypto module.
 */

var crypto = require('crypto');

/* Equal strings, in a time that depends on their length only (which is public: always 43). */
function same(a, b) {
    if (a.length !== b.length) {
        return false;
    }
    var diff = 0;
    for (var i = 0; i < a.length; i++) {
        diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    }
    return diff === 0;
}

function valid(r) {
    var key = process.env.MEDIA_SIGNING_KEY;
    if (!key) {
        // An empty key would make every signature forgeable: refuse everything, loudly.
        r.error('hls_auth: MEDIA_SIGNING_KEY is not in the workers\' environment '
                + '(set it for nginx and add "env MEDIA_SIGNING_KEY;" to the main context); '
                + 'every playback URL is refused');
        return '0';
    }
    var v = r.variables;
    var expires = Number(v.hls_expires);
    if (!(Date.now() / 1000 < expires)) {  // expired (or not a number): as signing.py, now >= expires
        return '0';
    }
    var expected = crypto.createHmac('sha256', key)
        .update(v.hls_user + '/' + v.hls_expires + '/' + v.hls_asset)
        .digest('base64url');
    return same(expected, v.hls_signature || '') ? '1' : '0';
}

export default {valid};
