-- A plausible hosting company's reporting database (PostgreSQL), the source Backline's reporting
-- cache is fed from. A second source (story 6: "some data moved to another database") uses the
-- same shape and holds, for example, the close events of tickets whose history was split off.
--
-- Watermarks for incremental sync: append-only tables carry a monotonic bigint id; tables whose
-- rows change carry updated_at, kept current by a trigger, with (updated_at, id) indexed for
-- keyset pagination.

CREATE TABLE teams (
  id          integer PRIMARY KEY,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A team's names over time: "Team X" from 2019, "Division-1" from 2021, "N-1" from 2023.
CREATE TABLE team_names (
  id          bigserial PRIMARY KEY,
  team_id     integer NOT NULL REFERENCES teams(id),
  name        text NOT NULL,
  valid_from  timestamptz NOT NULL
);

CREATE TABLE techs (
  id          integer PRIMARY KEY,
  login       text NOT NULL UNIQUE,
  full_name   text NOT NULL,
  hired_at    timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Which team a tech belonged to when; valid_to is NULL for the current membership.
CREATE TABLE tech_teams (
  id          bigserial PRIMARY KEY,
  tech_id     integer NOT NULL REFERENCES techs(id),
  team_id     integer NOT NULL REFERENCES teams(id),
  valid_from  timestamptz NOT NULL,
  valid_to    timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tickets (
  id          bigserial PRIMARY KEY,
  customer    text NOT NULL,
  subject     text NOT NULL,
  created_at  timestamptz NOT NULL,
  team_id     integer NOT NULL REFERENCES teams(id),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ticket_status_events (
  id          bigserial PRIMARY KEY,
  ticket_id   bigint NOT NULL,  -- no FK: a split-off database holds events of tickets it does not have
  status      text NOT NULL CHECK (status IN ('open','pending','escalated','closed','reopened')),
  at          timestamptz NOT NULL,
  source      text NOT NULL     -- where the event came from: web, email, phone, api, archive
);

CREATE TABLE comments (
  id          bigserial PRIMARY KEY,
  ticket_id   bigint NOT NULL,
  tech_id     integer NOT NULL,
  at          timestamptz NOT NULL,
  points      numeric(2,1) NOT NULL CHECK (points IN (0, 0.5, 1)),
  body        text NOT NULL
);

CREATE TABLE ssl_certificates (
  id            bigserial PRIMARY KEY,
  domain        text NOT NULL,
  serial        text NOT NULL,
  order_number  text NOT NULL,
  issued_at     timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Internal tracking entries the normal site cannot search (story 3).
CREATE TABLE ssl_tracking (
  id               bigserial PRIMARY KEY,
  certificate_id   bigint NOT NULL REFERENCES ssl_certificates(id),
  tracking_number  text NOT NULL,
  note             text NOT NULL,
  created_at       timestamptz NOT NULL
);

CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER teams_touch BEFORE UPDATE ON teams FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER techs_touch BEFORE UPDATE ON techs FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER tech_teams_touch BEFORE UPDATE ON tech_teams FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER tickets_touch BEFORE UPDATE ON tickets FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER ssl_certificates_touch BEFORE UPDATE ON ssl_certificates FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- @indexes: created after a bulk load (the generator loads first, then indexes).
CREATE INDEX teams_watermark ON teams (updated_at, id);
CREATE INDEX techs_watermark ON techs (updated_at, id);
CREATE INDEX tech_teams_watermark ON tech_teams (updated_at, id);
CREATE INDEX tickets_watermark ON tickets (updated_at, id);
CREATE INDEX ssl_certificates_watermark ON ssl_certificates (updated_at, id);
CREATE INDEX events_by_ticket ON ticket_status_events (ticket_id, at);
CREATE INDEX comments_by_ticket ON comments (ticket_id);
CREATE INDEX comments_by_tech ON comments (tech_id, at);
CREATE INDEX ssl_by_domain ON ssl_certificates (domain);
CREATE INDEX ssl_tracking_by_certificate ON ssl_tracking (certificate_id);
