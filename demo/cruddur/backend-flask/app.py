# Stand-in for the Flask app: the demo image serves this folder with busybox httpd.
