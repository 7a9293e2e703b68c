// Read by the video.js that Bootstrap Italia's bundle carries: without it, video.js injects
// <style> elements, which the Content Security Policy refuses. The pages do not use video.js.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
