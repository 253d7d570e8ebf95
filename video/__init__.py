"""Camera video: who may be shown where, and the demo's own test streams.

- `addresses`: a camera's address is checked on the way in (http or https only, or a path on
  this server) and again before a screen shows it (its origin must be one of CAMERA_ORIGINS,
  which is also all the Content-Security-Policy lets the browser fetch media from).
- `demo`: small HLS and MJPEG test streams made by ffmpeg under var/, served by the app when
  the demo feed is on, so that the demo's cameras show moving pictures without a camera.

The registry of cameras is reference data (warehouse table `cameras`); the tiles are drawn by
layouts/video.py and brought to life in the browser by assets/video.js (hls.js for HLS, an
<img> for MJPEG).
"""
