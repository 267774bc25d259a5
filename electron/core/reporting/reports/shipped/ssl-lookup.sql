-- title: SSL certificate lookup
-- description: Finds a certificate by its domain, serial or order number (any case), with every internal tracking entry the normal site cannot search (story 3).
-- description: A certificate without tracking entries is still listed, with empty tracking columns.
-- param: q text required "Domain, serial or order number"

-- One indexed lookup per kind of number (each index is NOCASE), then the tracking entries by certificate.
SELECT c.id AS certificate_id,
       c.domain,
       c.serial,
       c.order_number,
       c.issued_at,
       c.expires_at,
       t.tracking_number,
       t.note AS tracking_note,
       t.created_at AS tracked_at
FROM ssl_certificates AS c
LEFT JOIN ssl_tracking AS t ON t.certificate_id = c.id
WHERE c.id IN (
  SELECT id FROM ssl_certificates WHERE domain = :q COLLATE NOCASE
  UNION
  SELECT id FROM ssl_certificates WHERE serial = :q COLLATE NOCASE
  UNION
  SELECT id FROM ssl_certificates WHERE order_number = :q COLLATE NOCASE
)
ORDER BY c.domain, c.issued_at, c.id, t.created_at, t.id
