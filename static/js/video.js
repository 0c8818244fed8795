// Click-to-play video: nothing loads from YouTube or Vimeo until the visitor presses play.
// Without JavaScript the page keeps a plain link to the video.
(function () {
  "use strict";
  document.querySelectorAll("[data-video-src]").forEach(function (player) {
    var frame = player.querySelector(".video-player__frame");
    var link = player.querySelector(".video-player__link");
    if (!frame || !link) return;
    var title = player.getAttribute("data-video-title") || "video";
    var provider = player.getAttribute("data-video-provider") || "the video site";

    var button = document.createElement("button");
    button.type = "button";
    button.className = "video-player__play";
    button.innerHTML =
      '<svg aria-hidden="true" viewBox="0 0 24 24" width="56" height="56">' +
      '<circle cx="12" cy="12" r="11" fill="currentColor"/>' +
      '<path d="m10 7.5 6 4.5-6 4.5Z" fill="#fff"/></svg>' +
      '<span class="video-player__play-label"></span>';
    button.querySelector(".video-player__play-label").textContent =
      "Play “" + title + "” (loads from " + provider + ")";

    button.addEventListener("click", function () {
      var iframe = document.createElement("iframe");
      iframe.src = player.getAttribute("data-video-src");
      iframe.title = title + " (video from " + provider + ")";
      iframe.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
      iframe.allowFullscreen = true;
      iframe.referrerPolicy = "strict-origin-when-cross-origin";
      iframe.className = "video-player__iframe";
      frame.replaceChildren(iframe);
      player.classList.add("video-player--playing");
      iframe.focus();
    });

    link.classList.add("video-player__link--secondary");
    frame.replaceChildren(button);
    var fallback = document.createElement("p");
    fallback.className = "small";
    fallback.appendChild(link);
    player.appendChild(fallback);
  });
})();
