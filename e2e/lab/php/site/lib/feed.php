<?php
// The partner feed, as the customer's developer wrote it years ago: the whole body is read into
// memory, whatever the status code, with no timeout and no size limit, then split into lines.
// A head that answers an error with a huge body makes every worker that reaches it eat memory.

function shop_feed_fetch()
{
    $ch = curl_init('http://feeds.lab.test/feed.xml');
    curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
    curl_setopt($ch, CURLOPT_USERAGENT, 'LabShop/1.4 (+http://shop.lab.test/)');
    $body = curl_exec($ch);
    curl_close($ch);
    return $body === false ? '' : $body;
}

function shop_feed_lines($max)
{
    $lines = explode("\n", trim(shop_feed_fetch()));
    return array_slice(array_filter($lines, 'strlen'), 0, $max);
}
