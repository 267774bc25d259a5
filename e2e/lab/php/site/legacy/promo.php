<?php
// The old promo box, from before the partner had a feed: it includes the partner's PHP directly.
// PHP refuses (allow_url_include is Off, and deprecated since 7.4) and logs a warning; nobody
// removed the file. Nothing links to it any more.
include 'http://feeds.lab.test/promo.php';
