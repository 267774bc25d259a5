<?php
// Lab shop (Backline lab, php1): the customer's home page. It shows the partner feed's latest news,
// fetched on every request from feeds.lab.test by lib/feed.php, as the customer's code does.
require __DIR__ . '/lib/feed.php';

$products = [
    ['Walnut desk', 349.00],
    ['Oak shelf', 89.50],
    ['Reading lamp', 42.00],
];
$news = shop_feed_lines(5);
?><!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Lab shop</title></head>
<body>
<h1>Lab shop</h1>
<ul class="products">
<?php foreach ($products as [$name, $price]): ?>
  <li><?= htmlspecialchars($name) ?>: <?= number_format($price, 2) ?> EUR</li>
<?php endforeach; ?>
</ul>
<h2>News from our partner</h2>
<ul class="news">
<?php foreach ($news as $line): ?>
  <li><?= htmlspecialchars($line) ?></li>
<?php endforeach; ?>
</ul>
</body>
</html>
