-- Almanac demo database: "Ashford 311", the service-request portal of an invented city.
--
-- Run with the sqlite3 shell (3.37 or later, with FTS5 and JSON):
--     sqlite3 demo.db < demo/demo.sql
-- Every value is made here from arithmetic: nothing is downloaded and random() is never
-- used, so the same script always produces the same rows. Re-running it over an existing
-- file drops and recreates everything.
--
-- Pseudo-random numbers: each request id gets 32 "draws", draw k of request i being
-- hash32(i * 32 + k), where hash32 is a multiply / xor-shift integer hash (the one by
-- Thomas Mueller, 0x45d9f3b) written with SQLite's integer operators; a xor b is spelt
-- (a | b) - (a & b). A draw r is a uniform integer in [0, 2^32), and (r * n) >> 32 picks
-- a uniform integer in [0, n). Weighted choices use cumulative integer weights, so no
-- floating-point rounding can change a choice from one machine to another.

PRAGMA foreign_keys = ON;
PRAGMA synchronous = OFF;
PRAGMA temp_store = MEMORY;

DROP VIEW IF EXISTS open_requests_by_neighborhood;
DROP VIEW IF EXISTS monthly_requests;
DROP VIEW IF EXISTS monthly_requests_by_type;
DROP VIEW IF EXISTS department_performance;
DROP TABLE IF EXISTS service_requests_fts;
DROP TABLE IF EXISTS service_requests;
DROP TABLE IF EXISTS request_types;
DROP TABLE IF EXISTS departments;
DROP TABLE IF EXISTS neighborhoods;
DROP TABLE IF EXISTS sqlite_stat1;

BEGIN;

-- ---------------------------------------------------------------------------------------
-- Public tables
-- ---------------------------------------------------------------------------------------

CREATE TABLE departments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  abbreviation TEXT NOT NULL,
  phone TEXT NOT NULL
);

CREATE TABLE request_types (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  department_id INTEGER NOT NULL REFERENCES departments(id),
  target_days INTEGER NOT NULL,
  default_priority TEXT NOT NULL
);

CREATE TABLE neighborhoods (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  district TEXT NOT NULL,
  land_use TEXT NOT NULL,
  population INTEGER NOT NULL,
  area_sq_km REAL NOT NULL,
  latitude REAL NOT NULL,
  longitude REAL NOT NULL
);

CREATE TABLE service_requests (
  id INTEGER PRIMARY KEY,
  case_number TEXT NOT NULL UNIQUE,
  opened_at TEXT NOT NULL,
  opened_date TEXT NOT NULL,
  closed_date TEXT,
  days_to_close INTEGER,
  status TEXT NOT NULL,
  resolution TEXT,
  request_type_id INTEGER NOT NULL,
  neighborhood_id INTEGER NOT NULL,
  channel TEXT NOT NULL,
  priority TEXT NOT NULL,
  address TEXT NOT NULL,
  latitude REAL NOT NULL,
  longitude REAL NOT NULL,
  description TEXT NOT NULL,
  FOREIGN KEY (request_type_id) REFERENCES request_types(id),
  FOREIGN KEY (neighborhood_id) REFERENCES neighborhoods(id)
);

INSERT INTO departments (id, name, abbreviation, phone) VALUES
  (1, 'Streets & Transportation', 'STR', '555-0141'),
  (2, 'Sanitation', 'SAN', '555-0142'),
  (3, 'Parks & Forestry', 'PRK', '555-0143'),
  (4, 'Water & Sewer', 'WTR', '555-0144'),
  (5, 'Code Enforcement', 'CODE', '555-0145'),
  (6, 'Animal Services', 'ANI', '555-0146'),
  (7, 'Police Non-Emergency', 'PD', '555-0147'),
  (8, 'Environmental Health', 'ENV', '555-0148');

-- ---------------------------------------------------------------------------------------
-- Generation parameters (temporary: they vanish when the shell exits)
-- ---------------------------------------------------------------------------------------

-- Seasonal profiles: a multiplier (100 = average) for each month, January first.
CREATE TEMP TABLE profiles (name TEXT PRIMARY KEY, months TEXT NOT NULL);
INSERT INTO profiles VALUES
  ('flat',    '[100,100,100,100,100,100,100,100,100,100,100,100]'),
  ('winter',  '[190,200,170,120, 80, 60, 50, 50, 60, 80,120,160]'),
  ('snow',    '[400,380,150, 10,  0,  0,  0,  0,  0,  5, 60,300]'),
  ('dark',    '[130,120,100, 85, 75, 70, 70, 80, 95,115,130,135]'),
  ('summer',  '[ 50, 50, 70, 90,120,150,170,160,120, 90, 70, 60]'),
  ('growing', '[ 30, 30, 60,120,170,180,160,150,120, 90, 50, 40]'),
  ('fall',    '[ 60, 50, 70, 90, 80, 70, 70, 80,110,200,220,100]'),
  ('leaves',  '[ 20,  5, 10, 10,  5,  5,  5, 10, 60,400,500,150]'),
  ('holiday', '[140, 90, 90, 90, 95,100,110, 95,100, 95,110,150]'),
  ('moving',  '[ 60, 60, 80,100,130,150,150,140,110, 90, 70, 60]'),
  ('july',    '[ 30,  0,  0,  0, 10, 80,300, 20,  0,  0,  5, 40]');

-- Request types: public columns, then the generator's base weight, seasonal profile,
-- affinity by land use (urban core, residential, suburban, industrial) and night flag.
CREATE TEMP TABLE type_gen (
  id INTEGER PRIMARY KEY, name TEXT, department_id INTEGER, target_days INTEGER,
  priority INTEGER, base_w INTEGER, profile TEXT,
  a_u INTEGER, a_r INTEGER, a_s INTEGER, a_i INTEGER, night INTEGER
);
INSERT INTO type_gen VALUES
  ( 1, 'Pothole',                      1, 10, 2, 140, 'winter',  130, 110,  90, 120, 0),
  ( 2, 'Streetlight out',              1, 14, 1,  90, 'dark',    120, 100, 100,  90, 0),
  ( 3, 'Traffic signal malfunction',   1,  1, 3,  25, 'flat',    160,  80,  70,  90, 0),
  ( 4, 'Damaged sidewalk',             1, 60, 1,  45, 'flat',    120, 120,  80,  60, 0),
  ( 5, 'Snow and ice removal',         1,  2, 3,  45, 'snow',    100, 100, 110,  80, 0),
  ( 6, 'Abandoned vehicle',            7, 14, 1,  55, 'flat',     90, 110, 100, 200, 0),
  ( 7, 'Illegal parking',              7,  1, 2,  70, 'flat',    180, 100,  60,  60, 0),
  ( 8, 'Graffiti removal',             2, 10, 1,  80, 'flat',    200,  90,  40, 150, 0),
  ( 9, 'Illegal dumping',              2,  7, 2,  70, 'flat',     80,  90,  70, 330, 0),
  (10, 'Missed trash pickup',          2,  2, 2, 110, 'holiday',  80, 130, 140,  40, 0),
  (11, 'Missed recycling pickup',      2,  3, 1,  60, 'holiday',  70, 130, 150,  30, 0),
  (12, 'Bulk item pickup',             2, 10, 1,  75, 'moving',   90, 130, 120,  40, 0),
  (13, 'Overflowing litter basket',    2,  2, 1,  40, 'summer',  200,  70,  40,  60, 0),
  (14, 'Dead animal removal',          6,  2, 2,  30, 'summer',   60,  90, 150, 100, 0),
  (15, 'Tree maintenance',             3, 90, 1,  60, 'growing',  80, 130, 150,  40, 0),
  (16, 'Fallen tree or branches',      3,  3, 3,  35, 'summer',   70, 120, 160,  50, 0),
  (17, 'Park maintenance',             3, 14, 1,  35, 'growing', 100, 100, 110,  30, 0),
  (18, 'Overgrown vegetation',         5, 30, 1,  50, 'growing',  60, 110, 120, 140, 0),
  (19, 'Noise complaint',              7,  1, 2, 110, 'summer',  220, 120,  50,  40, 1),
  (20, 'Rodent sighting',              8, 14, 2,  55, 'summer',  180, 100,  40, 110, 0),
  (21, 'Water leak',                   4,  2, 3,  45, 'winter',  110, 100, 100,  90, 0),
  (22, 'Sewer backup',                 4,  1, 4,  30, 'fall',    120, 110,  80,  90, 0),
  (23, 'Clogged storm drain',          4,  5, 2,  40, 'fall',    110, 100, 110,  90, 0),
  (24, 'Low water pressure',           4,  7, 2,  20, 'summer',   90, 100, 120,  80, 0),
  (25, 'Unsafe building',              5, 30, 2,  30, 'flat',    150, 100,  60, 120, 0),
  (26, 'Stray animal',                 6,  1, 2,  40, 'summer',   80, 100, 130, 110, 0),
  (27, 'Barking dog',                  6, 10, 1,  35, 'summer',   60, 130, 130,  30, 1),
  (28, 'Leaf collection',              2, 14, 1,  40, 'leaves',   30, 130, 180,  10, 0),
  (29, 'Fireworks complaint',          7,  1, 2,  15, 'july',    150, 120,  90,  40, 1);

INSERT INTO request_types (id, name, department_id, target_days, default_priority)
SELECT id, name, department_id, target_days,
       CASE priority WHEN 1 THEN 'Low' WHEN 2 THEN 'Medium' WHEN 3 THEN 'High' ELSE 'Urgent' END
FROM type_gen ORDER BY id;

-- How fast each department closes requests, in percent of its target.
CREATE TEMP TABLE dept_speed (department_id INTEGER PRIMARY KEY, pct INTEGER);
INSERT INTO dept_speed VALUES (1, 110), (2, 80), (3, 150), (4, 70), (5, 160), (6, 90), (7, 60), (8, 120);

-- Neighborhoods: public columns, then a "buzz" factor (how readily residents call 311).
CREATE TEMP TABLE nbh_gen (
  id INTEGER PRIMARY KEY, name TEXT, district TEXT, land_use TEXT, population INTEGER,
  area_sq_km REAL, latitude REAL, longitude REAL, buzz INTEGER
);
INSERT INTO nbh_gen VALUES
  ( 1, 'Old Town',         'Central',   'Urban core',   9400,  1.6, 40.1012, -89.4031, 130),
  ( 2, 'Market Square',    'Central',   'Urban core',   7200,  1.1, 40.0978, -89.3968, 140),
  ( 3, 'Civic Center',     'Central',   'Urban core',   5100,  1.4, 40.1049, -89.3985, 110),
  ( 4, 'Depot District',   'Central',   'Urban core',   6300,  1.9, 40.0931, -89.4077, 120),
  ( 5, 'Printers Row',     'Central',   'Urban core',   8800,  1.3, 40.1071, -89.4102, 100),
  ( 6, 'Court Hill',       'Central',   'Residential', 12600,  2.7, 40.1118, -89.3921, 100),
  ( 7, 'Union Flats',      'Central',   'Residential', 14100,  3.1, 40.0889, -89.3912, 115),
  ( 8, 'North Heights',    'Northside', 'Residential', 18300,  4.8, 40.1312, -89.4050,  90),
  ( 9, 'Linden Park',      'Northside', 'Residential', 16700,  4.1, 40.1405, -89.3862,  85),
  (10, 'Foxglove',         'Northside', 'Suburban',     9800,  8.6, 40.1581, -89.4204,  70),
  (11, 'Kettle Creek',     'Northside', 'Suburban',    11200, 11.3, 40.1623, -89.3795,  75),
  (12, 'Brewer''s Hill',   'Northside', 'Residential', 13900,  3.6, 40.1268, -89.4262, 105),
  (13, 'Northgate',        'Northside', 'Suburban',     8700,  9.4, 40.1717, -89.4011,  60),
  (14, 'Milltown',         'Northside', 'Industrial',   1900,  5.2, 40.1359, -89.4471, 100),
  (15, 'East End',         'Eastside',  'Residential', 19800,  5.0, 40.1016, -89.3689, 120),
  (16, 'Rosemont',         'Eastside',  'Residential', 15400,  4.4, 40.1147, -89.3541,  90),
  (17, 'Cedar Knolls',     'Eastside',  'Suburban',    10300, 10.2, 40.1205, -89.3287,  65),
  (18, 'Ironworks',        'Eastside',  'Industrial',   1200,  6.8, 40.0874, -89.3402, 110),
  (19, 'Holloway',         'Eastside',  'Residential', 17200,  4.6, 40.0953, -89.3511, 150),
  (20, 'Sunnyside',        'Eastside',  'Residential', 14800,  3.9, 40.0812, -89.3660, 100),
  (21, 'Fairmount',        'Eastside',  'Residential', 12100,  3.3, 40.1095, -89.3382,  95),
  (22, 'South Commons',    'Southside', 'Residential', 21400,  5.3, 40.0741, -89.4012, 125),
  (23, 'Greenbriar',       'Southside', 'Suburban',     9200,  9.8, 40.0493, -89.4218,  65),
  (24, 'Calloway',         'Southside', 'Residential', 16300,  4.2, 40.0668, -89.3842, 110),
  (25, 'Railyard',         'Southside', 'Industrial',    800,  7.5, 40.0702, -89.4286, 150),
  (26, 'Willow Bend',      'Southside', 'Suburban',    10700,  8.1, 40.0421, -89.3927,  70),
  (27, 'Bellamy',          'Southside', 'Residential', 13600,  3.8, 40.0588, -89.4091, 100),
  (28, 'Pine Ridge',       'Southside', 'Suburban',     7900, 12.4, 40.0325, -89.4144,  55),
  (29, 'West Hollow',      'Westside',  'Residential', 15900,  4.5, 40.0994, -89.4361,  95),
  (30, 'Orchard Grove',    'Westside',  'Suburban',    11800, 10.6, 40.1127, -89.4682,  70),
  (31, 'Highland Terrace', 'Westside',  'Residential', 13300,  3.7, 40.1076, -89.4489,  85),
  (32, 'Westbrook',        'Westside',  'Suburban',    10900,  9.1, 40.0872, -89.4713,  70),
  (33, 'Stonegate',        'Westside',  'Suburban',     6800,  7.7, 40.0759, -89.4598,  50),
  (34, 'Fairgrounds',      'Westside',  'Residential',  9700,  3.9, 40.0917, -89.4502, 105),
  (35, 'Riverside',        'Riverside', 'Residential', 14500,  4.3, 40.0628, -89.3598,  95),
  (36, 'Canal Street',     'Riverside', 'Urban core',   7600,  1.5, 40.0706, -89.3712, 135),
  (37, 'Mill Race',        'Riverside', 'Residential', 11400,  3.4, 40.0551, -89.3650,  90),
  (38, 'Lockport Yards',   'Riverside', 'Industrial',    600,  6.1, 40.0515, -89.3418, 130),
  (39, 'Ferry Landing',    'Riverside', 'Residential',  8900,  2.9, 40.0468, -89.3537,  85),
  (40, 'Boathouse Row',    'Riverside', 'Urban core',   5600,  1.2, 40.0644, -89.3469, 110);

INSERT INTO neighborhoods (id, name, district, land_use, population, area_sq_km, latitude, longitude)
SELECT id, name, district, land_use, population, area_sq_km, latitude, longitude
FROM nbh_gen ORDER BY id;

-- Cumulative neighborhood weights: people (weighted by land use) plus ground to look after.
CREATE TEMP TABLE nbh_cum (cum_hi INTEGER PRIMARY KEY, nid INTEGER, ch TEXT);
INSERT INTO nbh_cum
SELECT sum(w) OVER (ORDER BY id), id, ch FROM (
  SELECT id, substr(land_use, 1, 1) AS ch,
         (population * CASE land_use WHEN 'Urban core' THEN 170 WHEN 'Residential' THEN 100
                                     WHEN 'Suburban' THEN 70 ELSE 100 END
          + CAST(area_sq_km * 10 AS INTEGER) * CASE land_use WHEN 'Industrial' THEN 12000 ELSE 3000 END
         ) * buzz / 10000 AS w
  FROM nbh_gen
);

-- Special days: an ice storm, a flash flood, and fireworks around July 4 and New Year.
-- skey is the key of the request-type mix for a day: its month, or one of these events.
CREATE TEMP TABLE skeys (skey INTEGER PRIMARY KEY, month INTEGER);
INSERT INTO skeys VALUES (1,1),(2,2),(3,3),(4,4),(5,5),(6,6),(7,7),(8,8),(9,9),(10,10),(11,11),(12,12),
                         (13, 2), (14, 7), (15, 9), (16, 12);
CREATE TEMP TABLE boosts (skey INTEGER, type_id INTEGER, mult INTEGER, PRIMARY KEY (skey, type_id));
INSERT INTO boosts VALUES
  (13, 16, 120), (13, 2, 5), (13, 3, 6), (13, 5, 4), (13, 21, 3), (13, 1, 2),   -- ice storm
  (14, 29, 80), (14, 19, 3),                                                   -- July 4
  (15, 22, 25), (15, 23, 20), (15, 21, 3), (15, 16, 4), (15, 24, 4),           -- flash flood
  (16, 29, 40), (16, 19, 2);                                                   -- New Year

-- Every day from 2021-01-01 to 2024-12-31 with its weight: growth year on year, more
-- requests in summer, fewer at weekends (some of which arrive on Monday), events.
CREATE TEMP TABLE day_cum (cum_hi INTEGER PRIMARY KEY, day TEXT, skey INTEGER);
INSERT INTO day_cum
WITH RECURSIVE days(day) AS (
  SELECT '2021-01-01' UNION ALL SELECT date(day, '+1 day') FROM days WHERE day < '2024-12-31'
), keyed AS (
  SELECT day,
         CAST(substr(day, 1, 4) AS INTEGER) AS y,
         CAST(substr(day, 6, 2) AS INTEGER) AS m,
         CAST(strftime('%w', day) AS INTEGER) AS wd,
         CASE WHEN day BETWEEN '2023-02-22' AND '2023-02-25' THEN 13
              WHEN day BETWEEN '2022-09-06' AND '2022-09-08' THEN 15
              WHEN substr(day, 6) IN ('07-03', '07-04', '07-05') THEN 14
              WHEN substr(day, 6) IN ('12-31', '01-01') THEN 16
              ELSE CAST(substr(day, 6, 2) AS INTEGER) END AS skey
  FROM days
), weighted AS (
  SELECT day, skey,
         (CASE y WHEN 2021 THEN 85 WHEN 2022 THEN 95 WHEN 2023 THEN 105 ELSE 115 END)
         * json_extract('[85,85,95,100,110,115,120,115,105,100,90,80]', '$[' || (m - 1) || ']')
         * json_extract('[55,120,110,105,100,95,60]', '$[' || wd || ']')
         * (CASE skey WHEN 13 THEN 400 WHEN 15 THEN 300 ELSE 100 END)
         * (CASE WHEN substr(day, 6) = '12-25' THEN 35 WHEN substr(day, 6) = '11-25' THEN 60 ELSE 100 END)
         / 1000000 AS w
  FROM keyed
)
SELECT sum(w) OVER (ORDER BY day), day, skey FROM weighted;

-- Request-type mix for each (day key, land use).
CREATE TEMP TABLE type_cum (skey INTEGER, ch TEXT, cum_hi INTEGER, type_id INTEGER,
                            PRIMARY KEY (skey, ch, cum_hi));
INSERT INTO type_cum
SELECT skey, ch, sum(w) OVER (PARTITION BY skey, ch ORDER BY type_id), type_id FROM (
  SELECT s.skey, c.ch, t.id AS type_id,
         t.base_w
         * json_extract(p.months, '$[' || (s.month - 1) || ']')
         * CASE c.ch WHEN 'U' THEN t.a_u WHEN 'R' THEN t.a_r WHEN 'S' THEN t.a_s ELSE t.a_i END
         * coalesce(b.mult, 1) AS w
  FROM skeys s
  CROSS JOIN (SELECT 'U' AS ch UNION ALL SELECT 'R' UNION ALL SELECT 'S' UNION ALL SELECT 'I') c
  CROSS JOIN type_gen t
  JOIN profiles p ON p.name = t.profile
  LEFT JOIN boosts b ON b.skey = s.skey AND b.type_id = t.id
) WHERE w > 0;
CREATE TEMP TABLE type_tot AS SELECT skey, ch, max(cum_hi) AS tot FROM type_cum GROUP BY skey, ch;

-- Street names; each neighborhood uses a window of eight consecutive entries.
CREATE TEMP TABLE streets (idx INTEGER PRIMARY KEY, name TEXT);
INSERT INTO streets (name) VALUES
  ('Main Street'), ('Elm Street'), ('Maple Avenue'), ('Oak Street'), ('Cedar Avenue'),
  ('Pine Street'), ('Walnut Street'), ('Chestnut Street'), ('Birch Lane'), ('Willow Road'),
  ('Spruce Street'), ('Hickory Lane'), ('Washington Avenue'), ('Lincoln Avenue'),
  ('Jefferson Street'), ('Madison Street'), ('Monroe Street'), ('Jackson Boulevard'),
  ('Grant Street'), ('Franklin Avenue'), ('Harrison Street'), ('Garfield Avenue'),
  ('1st Avenue'), ('2nd Avenue'), ('3rd Street'), ('4th Street'), ('5th Avenue'),
  ('6th Street'), ('7th Street'), ('8th Avenue'), ('9th Street'), ('10th Street'),
  ('Market Street'), ('Church Street'), ('Mill Street'), ('Bridge Street'), ('Water Street'),
  ('River Road'), ('Canal Street'), ('Depot Street'), ('Railroad Avenue'), ('Factory Road'),
  ('College Avenue'), ('Park Avenue'), ('Highland Avenue'), ('Prospect Street'),
  ('Summit Avenue'), ('Union Street'), ('Liberty Street'), ('Broadway'), ('Center Street'),
  ('Court Street'), ('Old Mill Road'), ('Kettle Creek Road'), ('Orchard Lane'),
  ('Meadow Drive'), ('Sunset Drive'), ('Fox Run'), ('Country Club Road'),
  ('Greenbriar Drive'), ('Stonegate Court'), ('Bellamy Road'), ('Ferry Street'), ('Lock Street');
UPDATE streets SET idx = idx - 1;

CREATE TEMP TABLE landmarks (idx INTEGER PRIMARY KEY, name TEXT);
INSERT INTO landmarks (name) VALUES
  ('bus stop'), ('elementary school'), ('public library'), ('community center'), ('post office'),
  ('corner store'), ('gas station'), ('church'), ('playground'), ('laundromat'), ('pharmacy'),
  ('fire station'), ('coffee shop'), ('parking garage'), ('senior center'), ('train station'),
  ('dog park'), ('high school'), ('grocery store'), ('apartment complex'), ('medical clinic'),
  ('hardware store'), ('bakery'), ('pizza place'), ('car wash'), ('soccer fields'),
  ('boat launch'), ('farmers market'), ('recycling center'), ('day care');
UPDATE landmarks SET idx = idx - 1;

-- Free-text fragments: for each type, openers ('o') and details ('d').
CREATE TEMP TABLE phrase_src (id INTEGER PRIMARY KEY, type_id INTEGER, kind TEXT, text TEXT);
INSERT INTO phrase_src (type_id, kind, text) VALUES
  (1, 'o', 'Large pothole'), (1, 'o', 'Deep pothole in the right lane'), (1, 'o', 'Several potholes'),
  (1, 'o', 'Pothole that keeps coming back'), (1, 'o', 'Crumbling asphalt and a wide pothole'),
  (1, 'd', 'Cars are swerving to avoid it.'), (1, 'd', 'A driver says it blew out a tire.'),
  (1, 'd', 'Cyclists have to ride into traffic to get around it.'),
  (1, 'd', 'It fills with water and you cannot tell how deep it is.'),
  (1, 'd', 'Patched last spring but it has opened up again.'),
  (2, 'o', 'Streetlight out'), (2, 'o', 'Streetlight flickering on and off'), (2, 'o', 'Two streetlights dark'),
  (2, 'o', 'Street lamp stays on all day'), (2, 'o', 'Light pole leaning with the lamp out'),
  (2, 'd', 'The block is completely dark at night.'),
  (2, 'd', 'People walking home from the bus stop feel unsafe.'),
  (2, 'd', 'It has been out for more than a week.'), (2, 'd', 'The light cover is cracked and hanging.'),
  (3, 'o', 'Traffic signal stuck on red'), (3, 'o', 'Traffic light flashing yellow in all directions'),
  (3, 'o', 'Walk signal not working'), (3, 'o', 'Signal head turned the wrong way'),
  (3, 'o', 'Left turn arrow never comes on'),
  (3, 'd', 'Traffic is backing up for several blocks.'), (3, 'd', 'Drivers are running the light.'),
  (3, 'd', 'Pedestrians cannot get a walk signal to cross.'),
  (3, 'd', 'Near miss between two cars this morning.'),
  (4, 'o', 'Cracked and raised sidewalk'), (4, 'o', 'Sidewalk slab heaved by tree roots'),
  (4, 'o', 'Broken curb ramp'), (4, 'o', 'Missing chunk of sidewalk'),
  (4, 'd', 'A resident tripped and fell here.'), (4, 'd', 'Wheelchair users cannot get past.'),
  (4, 'd', 'Strollers have to go into the street.'), (4, 'd', 'Trip hazard of about two inches.'),
  (5, 'o', 'Street has not been plowed'), (5, 'o', 'Ice covering the whole sidewalk'),
  (5, 'o', 'Snow plow left a wall of snow'), (5, 'o', 'Unshoveled sidewalk'), (5, 'o', 'Icy patch'),
  (5, 'd', 'Cars are getting stuck.'), (5, 'd', 'Elderly residents cannot get out to the street.'),
  (5, 'd', 'The bus could not make it up the hill.'), (5, 'd', 'Someone slipped and fell this morning.'),
  (5, 'd', 'Blocking the curb ramp and the crosswalk.'),
  (6, 'o', 'Abandoned car with flat tires'), (6, 'o', 'Vehicle with expired plates parked for weeks'),
  (6, 'o', 'Burned out car'), (6, 'o', 'Old pickup truck with no plates'),
  (6, 'o', 'Camper van that has not moved in a month'),
  (6, 'd', 'Windows are smashed and there is trash inside.'),
  (6, 'd', 'Leaves and litter have piled up around it.'),
  (6, 'd', 'It is taking up a spot in front of the shops.'), (6, 'd', 'Leaking fluids onto the street.'),
  (7, 'o', 'Car blocking a driveway'), (7, 'o', 'Vehicle parked in the bike lane'),
  (7, 'o', 'Truck parked on the sidewalk'), (7, 'o', 'Cars double parked'),
  (7, 'o', 'Car parked in front of the fire hydrant'),
  (7, 'd', 'Cannot get out to go to work.'), (7, 'd', 'This happens every weekday morning.'),
  (7, 'd', 'The driver is nowhere to be found.'), (7, 'd', 'Delivery vans block the lane for hours.'),
  (8, 'o', 'Graffiti tags'), (8, 'o', 'Large spray painted mural'), (8, 'o', 'Offensive graffiti'),
  (8, 'o', 'Graffiti on the mailbox and the bus shelter'), (8, 'o', 'Fresh tags on a brick wall'),
  (8, 'd', 'Please remove it before more shows up.'), (8, 'd', 'It is visible from the school playground.'),
  (8, 'd', 'The property owner has asked for help with removal.'),
  (8, 'd', 'It keeps coming back every few weeks.'),
  (9, 'o', 'Pile of construction debris dumped'), (9, 'o', 'Old mattresses and a couch left'),
  (9, 'o', 'Bags of trash dumped'), (9, 'o', 'Tires dumped'),
  (9, 'o', 'Paint cans and a broken refrigerator dumped'),
  (9, 'd', 'A truck unloaded it overnight.'), (9, 'd', 'It is blocking half of the alley.'),
  (9, 'd', 'Raccoons are tearing into the bags.'), (9, 'd', 'This spot gets used as a dump every month.'),
  (10, 'o', 'Trash not picked up'), (10, 'o', 'Garbage collection missed'), (10, 'o', 'Trash cart skipped'),
  (10, 'o', 'Whole block missed on trash day'),
  (10, 'd', 'The carts were out by 6 am.'), (10, 'd', 'It has been missed two weeks in a row.'),
  (10, 'd', 'The bins are overflowing and starting to smell.'), (10, 'd', 'The truck drove right past.'),
  (11, 'o', 'Recycling not collected'), (11, 'o', 'Blue bin skipped'),
  (11, 'o', 'Recycling missed for the whole street'), (11, 'o', 'Recycling cart left full'),
  (11, 'd', 'The bins were at the curb on time.'), (11, 'd', 'Cardboard is blowing down the street.'),
  (11, 'd', 'Third time this month.'), (11, 'd', 'The trash was picked up but not the recycling.'),
  (12, 'o', 'Request pickup of a couch and a mattress'), (12, 'o', 'Scheduled bulk pickup never happened'),
  (12, 'o', 'Old appliances waiting for bulk collection'),
  (12, 'o', 'Furniture left at the curb after a move out'),
  (12, 'd', 'Items were placed out on the scheduled day.'), (12, 'd', 'It has been sitting there for a week.'),
  (12, 'd', 'Landlord is asking when it will be collected.'), (12, 'd', 'Rain is soaking the furniture.'),
  (13, 'o', 'Overflowing trash can'), (13, 'o', 'Public litter basket full'),
  (13, 'o', 'Trash spilling out of the bin'), (13, 'o', 'Litter basket knocked over'),
  (13, 'd', 'Trash is blowing into the street.'), (13, 'd', 'It attracts rats at night.'),
  (13, 'd', 'It gets full every weekend.'), (13, 'd', 'Crows are pulling food wrappers out.'),
  (14, 'o', 'Dead deer'), (14, 'o', 'Dead raccoon'), (14, 'o', 'Dead cat in the road'),
  (14, 'o', 'Dead opossum'), (14, 'o', 'Dead skunk'),
  (14, 'd', 'It has been there since yesterday.'), (14, 'd', 'The smell is getting bad in the heat.'),
  (14, 'd', 'It is in the travel lane.'), (14, 'd', 'Children walk past it on the way to school.'),
  (15, 'o', 'Tree branches hanging low'), (15, 'o', 'Request to trim a city tree'), (15, 'o', 'Dead tree'),
  (15, 'o', 'Tree branches covering a stop sign'), (15, 'o', 'Overgrown street tree'),
  (15, 'd', 'Branches are scraping the tops of trucks.'), (15, 'd', 'The stop sign is hard to see.'),
  (15, 'd', 'Branches are touching the power lines.'), (15, 'd', 'The tree looks dead and could fall.'),
  (16, 'o', 'Large tree down'), (16, 'o', 'Fallen branches'), (16, 'o', 'Tree fell across the road'),
  (16, 'o', 'Big limb cracked and hanging'), (16, 'o', 'Tree uprooted'),
  (16, 'd', 'The road is completely blocked.'), (16, 'd', 'It took down a power line.'),
  (16, 'd', 'It is resting on a parked car.'),
  (16, 'd', 'Blocking the sidewalk so people walk in the street.'),
  (16, 'd', 'It came down in last night''s storm.'),
  (17, 'o', 'Broken swing'), (17, 'o', 'Park restroom locked'), (17, 'o', 'Overflowing trash at the park'),
  (17, 'o', 'Water fountain not working'), (17, 'o', 'Broken bench and graffiti at the park'),
  (17, 'd', 'Families use this park every day.'), (17, 'd', 'It has been broken since spring.'),
  (17, 'd', 'Kids could get hurt.'), (17, 'd', 'The grass has not been mowed in weeks.'),
  (18, 'o', 'Overgrown weeds on a vacant lot'), (18, 'o', 'Tall grass in a yard'),
  (18, 'o', 'Bushes blocking the sidewalk'), (18, 'o', 'Weeds growing over the fence'),
  (18, 'o', 'Hedge blocking the view at the corner'),
  (18, 'd', 'The grass is over two feet tall.'), (18, 'd', 'People have to walk in the street to get by.'),
  (18, 'd', 'Drivers cannot see oncoming traffic.'), (18, 'd', 'The house looks vacant.'),
  (19, 'o', 'Loud music from a house party'), (19, 'o', 'Construction noise early in the morning'),
  (19, 'o', 'Loud bar patio'), (19, 'o', 'Car alarm going off for hours'),
  (19, 'o', 'Neighbors shouting and loud music'), (19, 'o', 'Motorcycles revving'),
  (19, 'd', 'It goes on past midnight every weekend.'), (19, 'd', 'Started before permitted hours.'),
  (19, 'd', 'I have asked them to turn it down.'), (19, 'd', 'The whole block can hear it.'),
  (19, 'd', 'Kids cannot sleep.'),
  (20, 'o', 'Rats running'), (20, 'o', 'Rat burrows'), (20, 'o', 'Rodents seen'),
  (20, 'o', 'Rats in the trash area'), (20, 'o', 'Mice and rats'),
  (20, 'd', 'They come out every night.'), (20, 'd', 'Holes along the foundation of the building.'),
  (20, 'd', 'Restaurant trash is left open.'), (20, 'd', 'Neighbors are afraid for their pets.'),
  (21, 'o', 'Water bubbling up from the street'), (21, 'o', 'Water main leak'),
  (21, 'o', 'Leaking fire hydrant'), (21, 'o', 'Water running down the gutter'), (21, 'o', 'Broken water pipe'),
  (21, 'd', 'It has been running for two days.'), (21, 'd', 'The water is spreading across the road.'),
  (21, 'd', 'Water pressure in the house dropped.'), (21, 'd', 'Creating a sinkhole in the pavement.'),
  (22, 'o', 'Sewage backing up'), (22, 'o', 'Sewer smell'), (22, 'o', 'Manhole overflowing'),
  (22, 'o', 'Sewer backup into a basement'),
  (22, 'd', 'Sewage is coming up through the floor drain.'), (22, 'd', 'The smell is very strong.'),
  (22, 'd', 'It started after the heavy rain.'), (22, 'd', 'Several houses on the block are affected.'),
  (23, 'o', 'Clogged storm drain'), (23, 'o', 'Storm drain covered with leaves'), (23, 'o', 'Street flooding'),
  (23, 'o', 'Catch basin blocked'),
  (23, 'd', 'Water is pooling across the whole intersection.'), (23, 'd', 'Cars are splashing pedestrians.'),
  (23, 'd', 'The flooding reaches the sidewalk.'), (23, 'd', 'Leaves and trash are blocking the grate.'),
  (24, 'o', 'Low water pressure'), (24, 'o', 'Brown water from the tap'), (24, 'o', 'No water'),
  (24, 'o', 'Water pressure dropping'),
  (24, 'd', 'The whole building has low pressure.'), (24, 'd', 'It started this morning.'),
  (24, 'd', 'Neighbors report the same problem.'), (24, 'd', 'The water looks rusty.'),
  (25, 'o', 'Building work without a permit'), (25, 'o', 'Vacant house with broken windows'),
  (25, 'o', 'Collapsed porch'), (25, 'o', 'Unsafe balcony'), (25, 'o', 'Crumbling brick facade'),
  (25, 'd', 'People are going in and out of the vacant house.'),
  (25, 'd', 'The structure looks like it could collapse.'), (25, 'd', 'Workers are there on weekends.'),
  (25, 'd', 'Bricks have fallen onto the sidewalk.'),
  (26, 'o', 'Stray dog'), (26, 'o', 'Loose dog'), (26, 'o', 'Injured stray cat'),
  (26, 'o', 'Pack of stray dogs'), (26, 'o', 'Stray cats'),
  (26, 'd', 'It is running in and out of traffic.'), (26, 'd', 'The dog chased a jogger.'),
  (26, 'd', 'It looks hungry and has no collar.'), (26, 'd', 'It has been around for several days.'),
  (27, 'o', 'Dog barking'), (27, 'o', 'Dog barking all day'), (27, 'o', 'Dog left outside barking'),
  (27, 'o', 'Dogs barking nonstop'),
  (27, 'd', 'It barks all night.'), (27, 'd', 'The owners are never home.'),
  (27, 'd', 'It has been going on for weeks.'), (27, 'd', 'The dog is left outside in the cold.'),
  (28, 'o', 'Leaf piles not collected'), (28, 'o', 'Request leaf pickup'),
  (28, 'o', 'Bagged leaves left at the curb'), (28, 'o', 'Leaf collection missed'),
  (28, 'd', 'The leaves are blocking the storm drain.'), (28, 'd', 'The bags have been out for two weeks.'),
  (28, 'd', 'The piles are spreading into the street.'), (28, 'd', 'The schedule said our street was done.'),
  (29, 'o', 'Fireworks being set off'), (29, 'o', 'Illegal fireworks'), (29, 'o', 'Loud fireworks'),
  (29, 'o', 'Large fireworks launched from the street'),
  (29, 'd', 'They have been going off since dusk.'), (29, 'd', 'The dog is terrified.'),
  (29, 'd', 'Debris is landing on roofs and cars.'), (29, 'd', 'It is after midnight and they keep going.'),
  (29, 'd', 'Someone nearly got hurt.');

CREATE TEMP TABLE phrases (type_id INTEGER, kind TEXT, idx INTEGER, text TEXT,
                           PRIMARY KEY (type_id, kind, idx));
INSERT INTO phrases
SELECT type_id, kind, row_number() OVER (PARTITION BY type_id, kind ORDER BY id) - 1, text
FROM phrase_src;
CREATE TEMP TABLE phrase_counts AS
SELECT type_id, sum(kind = 'o') AS n_o, sum(kind = 'd') AS n_d FROM phrases GROUP BY type_id;

CREATE TEMP TABLE remarks (idx INTEGER PRIMARY KEY, text TEXT);
INSERT INTO remarks (text) VALUES
  ('Reported twice already with no response.'), ('Caller would like a call back.'),
  ('Has been like this for over a week.'), ('Second time this month.'),
  ('Neighbors have complained as well.'), ('Kids walk past here to school every morning.'),
  ('Please send someone soon.'), ('Getting worse after the rain.'),
  ('Caller says this is a safety hazard.'), ('Reported by a local business owner.'),
  ('Anonymous report.'), ('A crew was nearby last week but did not fix it.'),
  ('Same issue as a previous request.'), ('Thank you!'), ('Caller is a senior living alone.');
UPDATE remarks SET idx = idx - 1;

-- ---------------------------------------------------------------------------------------
-- The draws: 32 independent 32-bit values per request (r0 .. r21 used).
-- ---------------------------------------------------------------------------------------

CREATE TEMP TABLE draws AS
WITH RECURSIVE n(n) AS (
  SELECT 32 UNION ALL SELECT n + 1 FROM n WHERE n < 32 * 20000 + 31
), h0 AS (
  SELECT n, (n * 2654435761 + 1013904223) % 4294967296 AS x FROM n
), h1 AS (
  SELECT n, (((x | (x >> 16)) - (x & (x >> 16))) * 73244475) % 4294967296 AS x FROM h0
), h2 AS (
  SELECT n, (((x | (x >> 16)) - (x & (x >> 16))) * 73244475) % 4294967296 AS x FROM h1
), h AS (
  SELECT n >> 5 AS id, n & 31 AS k, (x | (x >> 16)) - (x & (x >> 16)) AS v FROM h2
)
SELECT id,
  max(CASE k WHEN 0 THEN v END) AS r0,   max(CASE k WHEN 1 THEN v END) AS r1,
  max(CASE k WHEN 2 THEN v END) AS r2,   max(CASE k WHEN 3 THEN v END) AS r3,
  max(CASE k WHEN 4 THEN v END) AS r4,   max(CASE k WHEN 5 THEN v END) AS r5,
  max(CASE k WHEN 6 THEN v END) AS r6,   max(CASE k WHEN 7 THEN v END) AS r7,
  max(CASE k WHEN 8 THEN v END) AS r8,   max(CASE k WHEN 9 THEN v END) AS r9,
  max(CASE k WHEN 10 THEN v END) AS r10, max(CASE k WHEN 11 THEN v END) AS r11,
  max(CASE k WHEN 12 THEN v END) AS r12, max(CASE k WHEN 13 THEN v END) AS r13,
  max(CASE k WHEN 14 THEN v END) AS r14, max(CASE k WHEN 15 THEN v END) AS r15,
  max(CASE k WHEN 16 THEN v END) AS r16, max(CASE k WHEN 17 THEN v END) AS r17,
  max(CASE k WHEN 18 THEN v END) AS r18, max(CASE k WHEN 19 THEN v END) AS r19,
  max(CASE k WHEN 20 THEN v END) AS r20, max(CASE k WHEN 21 THEN v END) AS r21
FROM h GROUP BY id;

-- ---------------------------------------------------------------------------------------
-- Requests, built in stages.
-- ---------------------------------------------------------------------------------------

-- Stage 1: where and when.
CREATE TEMP TABLE s1 AS
SELECT d.*,
  (SELECT nid FROM nbh_cum
    WHERE cum_hi > ((d.r0 * (SELECT max(cum_hi) FROM nbh_cum)) >> 32) ORDER BY cum_hi LIMIT 1) AS nid,
  (SELECT cum_hi FROM day_cum
    WHERE cum_hi > ((d.r1 * (SELECT max(cum_hi) FROM day_cum)) >> 32) ORDER BY cum_hi LIMIT 1) AS day_key
FROM draws d;

-- Stage 2: what, given the day and the kind of neighborhood.
CREATE TEMP TABLE s2 AS
SELECT s1.*, dc.day, dc.skey, nc.ch,
  (SELECT tc.type_id FROM type_cum tc
    WHERE tc.skey = dc.skey AND tc.ch = nc.ch
      AND tc.cum_hi > ((s1.r2 * (SELECT tot FROM type_tot tt WHERE tt.skey = dc.skey AND tt.ch = nc.ch)) >> 32)
    ORDER BY tc.cum_hi LIMIT 1) AS type_id
FROM s1
JOIN day_cum dc ON dc.cum_hi = s1.day_key
JOIN nbh_cum nc ON nc.nid = s1.nid;

-- Stage 3: how it was reported, how urgent, where exactly.
CREATE TEMP TABLE s3 AS
SELECT s2.*,
  t.department_id, t.target_days, t.night,
  CAST(substr(s2.day, 1, 4) AS INTEGER) AS year,
  -- The app grows at the expense of the phone line.
  CASE
    WHEN ((s2.r12 * 100) >> 32) < json_extract('[55,48,42,36]', '$[' || (CAST(substr(s2.day, 1, 4) AS INTEGER) - 2021) || ']') THEN 'Phone'
    WHEN ((s2.r12 * 100) >> 32) < json_extract('[73,73,75,77]', '$[' || (CAST(substr(s2.day, 1, 4) AS INTEGER) - 2021) || ']') THEN 'App'
    WHEN ((s2.r12 * 100) >> 32) < json_extract('[95,96,97,98]', '$[' || (CAST(substr(s2.day, 1, 4) AS INTEGER) - 2021) || ']') THEN 'Web'
    ELSE 'Walk-in' END AS channel,
  max(1, min(4, t.priority
    + CASE WHEN ((s2.r15 * 100) >> 32) < 10 THEN 1 WHEN ((s2.r15 * 100) >> 32) < 18 THEN -1 ELSE 0 END
    + CASE WHEN s2.skey IN (13, 15) THEN 1 ELSE 0 END)) AS prio,
  (SELECT name FROM streets WHERE idx = (s2.nid * 5 + ((s2.r3 * 8) >> 32)) % (SELECT count(*) FROM streets)) AS street,
  (SELECT name FROM streets WHERE idx = (s2.nid * 5 + ((s2.r3 * 8) >> 32) + 1 + ((s2.r4 * 6) >> 32)) % (SELECT count(*) FROM streets)) AS cross_street,
  100 + ((s2.r5 * 4800) >> 32) AS house,
  (s2.r6 * 8) >> 32 AS place_form,
  (SELECT name FROM landmarks WHERE idx = ((s2.r7 * (SELECT count(*) FROM landmarks)) >> 32)) AS landmark,
  (SELECT p.text FROM phrases p WHERE p.type_id = s2.type_id AND p.kind = 'o'
      AND p.idx = ((s2.r8 * (SELECT n_o FROM phrase_counts c WHERE c.type_id = s2.type_id)) >> 32)) AS opener,
  (SELECT p.text FROM phrases p WHERE p.type_id = s2.type_id AND p.kind = 'd'
      AND p.idx = ((s2.r9 * (SELECT n_d FROM phrase_counts c WHERE c.type_id = s2.type_id)) >> 32)) AS detail,
  CASE WHEN s2.skey = 13 AND ((s2.r10 * 100) >> 32) < 50
       THEN 'Ice storm damage all over the neighborhood.'
       WHEN s2.skey = 15 AND ((s2.r10 * 100) >> 32) < 50
       THEN 'Flash flooding after the storm.'
       WHEN ((s2.r10 * 100) >> 32) < 35
       THEN (SELECT text FROM remarks WHERE idx = ((s2.r11 * (SELECT count(*) FROM remarks)) >> 32)) END AS remark,
  round(n.latitude + ((((s2.r20 * 2001) >> 32) - 1000) / 1000.0) * (0.003 + 0.0006 * n.area_sq_km), 6) AS lat,
  round(n.longitude + ((((s2.r21 * 2001) >> 32) - 1000) / 1000.0) * (0.004 + 0.0008 * n.area_sq_km), 6) AS lon
FROM s2
JOIN type_gen t ON t.id = s2.type_id
JOIN nbh_gen n ON n.id = s2.nid;

-- Stage 4: time of day, and how (and whether) it was resolved by the end of 2024.
CREATE TEMP TABLE s4 AS
SELECT s3.*,
  printf('%s %02d:%02d:%02d', day,
    CASE
      WHEN night = 1 THEN json_extract('[17,18,19,20,20,21,21,22,22,22,23,23,23,0,0,1]', '$[' || ((r13 * 16) >> 32) || ']')
      WHEN channel = 'Walk-in' THEN 9 + ((r13 * 8) >> 32)
      WHEN channel = 'Phone' THEN 8 + ((r13 * 11) >> 32)
      ELSE json_extract('[0,1,5,6,7,7,8,8,8,9,9,9,10,10,10,11,11,11,12,12,12,13,13,13,14,14,14,15,15,15,16,16,16,17,17,17,18,18,18,19,19,19,20,20,21,21,22,23]',
                        '$[' || ((r13 * 48) >> 32) || ']')
    END,
    ((r14 * 3600) >> 32) / 60, ((r14 * 3600) >> 32) % 60) AS opened_at,
  -- Never closed: a small backlog, larger for slow, low-priority work.
  (((r18 * 1000) >> 32) < CASE WHEN target_days >= 30 THEN 60 ELSE 12 END) AS stuck,
  CASE
    WHEN ((r19 * 100) >> 32) < 80 THEN 'Completed'
    WHEN ((r19 * 100) >> 32) < 87 THEN 'Duplicate'
    WHEN ((r19 * 100) >> 32) < 93 THEN 'No issue found'
    WHEN ((r19 * 100) >> 32) < 97 THEN 'Referred to another agency'
    ELSE 'Cancelled by requester' END AS resolution0,
  -- Effective target in days: department speed, faster each year, slower in a crisis.
  max(1, target_days * (SELECT pct FROM dept_speed ds WHERE ds.department_id = s3.department_id)
         * CASE year WHEN 2021 THEN 125 WHEN 2022 THEN 110 WHEN 2023 THEN 100 ELSE 90 END
         * CASE WHEN skey IN (13, 15) THEN 3 ELSE 1 END / 10000) AS eff
FROM s3;

CREATE TEMP TABLE s5 AS
SELECT s4.*,
  CASE WHEN resolution0 = 'Duplicate' THEN (r17 * 2) >> 32
       WHEN ((r16 * 100) >> 32) < 55 THEN (r17 * (eff + 1)) >> 32
       WHEN ((r16 * 100) >> 32) < 85 THEN eff + ((r17 * (eff + 1)) >> 32)
       WHEN ((r16 * 100) >> 32) < 97 THEN 2 * eff + ((r17 * (3 * eff + 1)) >> 32)
       ELSE 5 * eff + ((r17 * (10 * eff + 1)) >> 32) END AS days0
FROM s4;

CREATE TEMP TABLE s6 AS
SELECT s5.*,
  (stuck = 0 AND date(day, '+' || days0 || ' days') <= '2024-12-31') AS closed
FROM s5;

INSERT INTO service_requests (id, case_number, opened_at, opened_date, closed_date, days_to_close,
  status, resolution, request_type_id, neighborhood_id, channel, priority, address,
  latitude, longitude, description)
SELECT
  row_number() OVER (ORDER BY opened_at, id),
  printf('SR-%d-%06d', year, row_number() OVER (PARTITION BY year ORDER BY opened_at, id)),
  opened_at,
  day,
  CASE WHEN closed THEN date(day, '+' || days0 || ' days') END,
  CASE WHEN closed THEN days0 END,
  CASE WHEN closed THEN 'Closed'
       WHEN julianday('2024-12-31') - julianday(day) < 2 THEN 'Open'
       WHEN (r18 % 100) < 55 THEN 'In progress'
       ELSE 'Open' END,
  CASE WHEN closed THEN resolution0 END,
  type_id,
  nid,
  channel,
  CASE prio WHEN 1 THEN 'Low' WHEN 2 THEN 'Medium' WHEN 3 THEN 'High' ELSE 'Urgent' END,
  CASE WHEN place_form = 2 THEN street || ' & ' || cross_street ELSE house || ' ' || street END,
  lat,
  lon,
  opener
    || CASE place_form
         WHEN 0 THEN ' on ' || street
         WHEN 1 THEN ' in front of ' || house || ' ' || street
         WHEN 2 THEN ' at the corner of ' || street || ' and ' || cross_street
         WHEN 3 THEN ' near the ' || landmark || ' on ' || street
         WHEN 4 THEN ' outside the ' || landmark || ' at ' || house || ' ' || street
         WHEN 5 THEN ' behind ' || house || ' ' || street
         WHEN 6 THEN ' across from the ' || landmark || ' on ' || street
         ELSE ' in the alley behind ' || house || ' ' || street END
    || '. ' || detail
    || coalesce(' ' || remark, '')
FROM s6
ORDER BY opened_at, id;

-- ---------------------------------------------------------------------------------------
-- Indexes, full-text search, views.
-- ---------------------------------------------------------------------------------------

CREATE INDEX request_types_department_id ON request_types(department_id);
CREATE INDEX service_requests_request_type_id ON service_requests(request_type_id);
CREATE INDEX service_requests_neighborhood_id ON service_requests(neighborhood_id);
CREATE INDEX service_requests_opened_date ON service_requests(opened_date);
CREATE INDEX service_requests_status ON service_requests(status);

CREATE VIRTUAL TABLE service_requests_fts USING fts5(
  description, address,
  content="service_requests", content_rowid="id", tokenize="porter unicode61"
);
INSERT INTO service_requests_fts(service_requests_fts) VALUES ('rebuild');

CREATE VIEW open_requests_by_neighborhood AS
SELECT n.name AS neighborhood, n.district, t.name AS request_type,
       count(*) AS open_requests, min(r.opened_date) AS oldest_opened
FROM service_requests r
JOIN neighborhoods n ON n.id = r.neighborhood_id
JOIN request_types t ON t.id = r.request_type_id
WHERE r.status <> 'Closed'
GROUP BY n.id, t.id
ORDER BY open_requests DESC, neighborhood, request_type;

CREATE VIEW monthly_requests AS
SELECT substr(opened_date, 1, 7) AS month,
       count(*) AS requests,
       sum(status = 'Closed') AS closed,
       round(avg(days_to_close), 1) AS avg_days_to_close,
       round(100.0 * sum(channel = 'App') / count(*), 1) AS pct_via_app
FROM service_requests
GROUP BY month
ORDER BY month;

CREATE VIEW monthly_requests_by_type AS
SELECT substr(r.opened_date, 1, 7) AS month, t.name AS request_type, d.name AS department,
       count(*) AS requests
FROM service_requests r
JOIN request_types t ON t.id = r.request_type_id
JOIN departments d ON d.id = t.department_id
GROUP BY month, t.id
ORDER BY month, requests DESC;

CREATE VIEW department_performance AS
SELECT d.name AS department,
       count(*) AS requests,
       sum(r.status = 'Closed') AS closed,
       sum(r.status <> 'Closed') AS still_open,
       round(avg(r.days_to_close), 1) AS avg_days_to_close,
       round(100.0 * sum(r.days_to_close <= t.target_days) / sum(r.status = 'Closed'), 1)
         AS pct_closed_within_target
FROM service_requests r
JOIN request_types t ON t.id = r.request_type_id
JOIN departments d ON d.id = t.department_id
GROUP BY d.id
ORDER BY requests DESC;

COMMIT;

ANALYZE;
VACUUM;
