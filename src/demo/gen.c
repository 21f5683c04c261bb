/* gen.c - `demo generate`: the legacy Prisma / SQL Server database of
 * data-model.md §1 written as a SQLite file, with realistic food-service
 * data and, with --messy, counted dirt that the engine must cope with.
 *
 * Tables and columns come from the contract in legacy.c, never from a copy
 * here: what this file adds is what a column *means* (a city, a phone) and
 * which dirt it may carry. Every value depends only on (seed, table, row),
 * through a stateless hash, so a child row can recompute its parent's id or
 * name without keeping the parent in memory, and the output is byte-for-byte
 * the same for the same seed and scale.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "gen.h"
#include "legacy.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define N_(a) (sizeof(a) / sizeof((a)[0]))
#define MAXCOLS 32

/* ------------------------------------------------------------------------
 * Randomness: splitmix64 to hash and seed, xoshiro256** to draw. Our own,
 * so that the data does not change with the C library.
 * ------------------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A stateless hash of (seed, salt, index): what a row, an id or a parent
 * choice depends on, so any table can recompute another table's values. */
static uint64_t hash3(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t x = a;
    uint64_t h = splitmix64(&x);
    x = h ^ b;
    h = splitmix64(&x);
    x = h ^ c;
    return splitmix64(&x);
}

struct rng {
    uint64_t s[4];
};

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n < 2^32 (the bias of the multiply-shift is < 2^-32). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static long rng_range(struct rng *r, long lo, long hi)
{
    return lo + (long)rng_below(r, (uint32_t)(hi - lo + 1));
}

static bool rng_pct(struct rng *r, unsigned pct)
{
    return rng_below(r, 100) < pct;
}

#define PICK(r, a) ((a)[rng_below((r), (uint32_t)N_(a))])

/* ------------------------------------------------------------------------
 * Word lists. Names that fold to the same ASCII would give two users the
 * same email: gen_check_contract() refuses such lists.
 * ------------------------------------------------------------------------ */

static const char *const first_names[] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra",
    "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily", "Kenneth", "Donna", "Joshua",
    "Michelle", "Kevin", "Carol", "Brian", "Amanda", "George", "Melissa", "Timothy", "Deborah",
    "Wei", "Mei", "Hiroshi", "Yuki", "Priya", "Raj", "Olga", "Dmitri", "Fatima", "Omar", "Aisha",
    "Kwame", "Giulia", "Marco", "Sofía", "José", "Zoë", "Renée", "Björn", "Chloé", "Ngozi",
    "Siobhan", "Tomás", "Ingrid",
};

static const char *const last_names[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Chen", "Kim", "Patel", "Singh",
    "Nakamura", "Kowalski", "Ivanova", "O'Brien", "MacDonald", "Van der Berg", "Rossi",
    "Bianchi", "Müller", "Schmidt", "Dubois", "Lefèvre", "Núñez", "Okafor", "Mensah", "Haddad",
    "Cohen", "Larsen", "Johansson", "Novak", "Horvat", "Papadopoulos", "Yilmaz", "Silva",
    "Santos", "Costa", "Fischer", "Weber", "Murphy", "Kelly", "Byrne", "Walsh", "Tanaka",
    "Sato", "Le", "Tran",
};

static const struct city {
    const char *name, *state, *zip3, *area;
} cities[] = {
    {"Chicago", "IL", "606", "312"}, {"New York", "NY", "100", "212"},
    {"Los Angeles", "CA", "900", "213"}, {"Houston", "TX", "770", "713"},
    {"Phoenix", "AZ", "850", "602"}, {"Philadelphia", "PA", "191", "215"},
    {"San Antonio", "TX", "782", "210"}, {"San Diego", "CA", "921", "619"},
    {"Dallas", "TX", "752", "214"}, {"Austin", "TX", "787", "512"},
    {"Columbus", "OH", "432", "614"}, {"Indianapolis", "IN", "462", "317"},
    {"Charlotte", "NC", "282", "704"}, {"San Francisco", "CA", "941", "415"},
    {"Seattle", "WA", "981", "206"}, {"Denver", "CO", "802", "303"},
    {"Nashville", "TN", "372", "615"}, {"Boston", "MA", "021", "617"},
    {"Portland", "OR", "972", "503"}, {"Las Vegas", "NV", "891", "702"},
    {"Detroit", "MI", "482", "313"}, {"Memphis", "TN", "381", "901"},
    {"Louisville", "KY", "402", "502"}, {"Baltimore", "MD", "212", "410"},
    {"Milwaukee", "WI", "532", "414"}, {"Albuquerque", "NM", "871", "505"},
    {"Tucson", "AZ", "857", "520"}, {"Sacramento", "CA", "958", "916"},
    {"Kansas City", "MO", "641", "816"}, {"Atlanta", "GA", "303", "404"},
    {"Miami", "FL", "331", "305"}, {"Omaha", "NE", "681", "402"},
    {"Raleigh", "NC", "276", "919"}, {"Minneapolis", "MN", "554", "612"},
    {"New Orleans", "LA", "701", "504"}, {"Tampa", "FL", "336", "813"},
    {"Cleveland", "OH", "441", "216"}, {"Pittsburgh", "PA", "152", "412"},
    {"Cincinnati", "OH", "452", "513"}, {"St. Louis", "MO", "631", "314"},
    {"Salt Lake City", "UT", "841", "801"}, {"Richmond", "VA", "232", "804"},
    {"Boise", "ID", "837", "208"}, {"Madison", "WI", "537", "608"},
    {"Burlington", "VT", "054", "802"}, {"Savannah", "GA", "314", "912"},
    {"Charleston", "SC", "294", "843"}, {"Santa Fe", "NM", "875", "505"},
    {"Napa", "CA", "945", "707"}, {"Asheville", "NC", "288", "828"},
};

static const char *const streets[] = {
    "Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine",
    "1st", "2nd", "3rd", "Market", "Broadway", "Church", "Water", "River", "Union", "Franklin",
    "Lincoln", "Jackson", "Mill", "Spring", "Center", "Highland", "Madison", "Grand",
    "Commerce", "Industrial", "Harbor", "Meridian", "Peachtree", "Sunset", "Magnolia",
};
static const char *const street_kinds[] = {"St", "Ave", "Blvd", "Rd", "Dr", "Way", "Ln", "Pkwy"};

static const char *const adjectives[] = {
    "Golden", "Rustic", "Blue", "Silver", "Copper", "Olive", "Smoky", "Little", "Urban",
    "Coastal", "Harvest", "Iron", "Red", "Green", "Wild", "Crimson", "Salty", "Maple", "Sunny",
    "Stone", "Cedar", "Honey", "Pepper", "Twisted", "Hungry", "Happy", "Lucky", "Northern",
};
static const char *const nouns[] = {
    "Spoon", "Table", "Fork", "Kettle", "Oak", "Hearth", "Garden", "Vine", "Plate", "Ember",
    "Larder", "Pantry", "Barrel", "Anchor", "Lantern", "Orchard", "Mill", "Skillet", "Saffron",
    "Thyme", "Ladle", "Griddle", "Brick Oven", "Smokehouse", "Galley",
};
static const char *const animals[] = {
    "Pig", "Goat", "Rooster", "Bull", "Fox", "Crab", "Pelican", "Bear", "Hen", "Trout", "Moose",
};
static const char *const saints[] = {
    "Mary's", "Joseph's", "Luke's", "Francis", "Anne's", "Jude", "Vincent's", "Elizabeth's",
    "Catherine's", "Michael's",
};
static const char *const industries[] = {
    "Logistics", "Pharma", "Software", "Insurance", "Energy", "Aerospace", "Financial", "Media",
    "Biotech", "Freight",
};

/* Name patterns per segment: %F first name, %L last name, %A adjective,
 * %N noun, %X animal, %C city, %T saint, %I industry. */
static const char *const pat_fine[] = {
    "%L's", "Chez %F", "The %A %N", "Maison %L", "%N & %N", "%C Chophouse", "Osteria %L",
    "%F's Table", "The %N Room",
};
static const char *const pat_fast[] = {
    "%A Burger Co.", "%L's Chicken", "Taco %N", "%A Subs", "Pizza %L", "Wok %N Express",
    "%A Bagels", "%C Hot Dog Stand", "%F's Drive-In",
};
static const char *const pat_casual[] = {
    "%L's Tavern", "The %A %X Grill", "%C Ale House", "%A Fork Bistro", "%A %X Diner",
    "%F & %F's Kitchen", "The %N Cafe", "%L's Cantina",
};
static const char *const pat_catering[] = {
    "%L Catering", "%A Table Events", "%C Banquets & Catering", "%F's Party Platters",
    "%A %N Catering Co.",
};
static const char *const pat_institutional[] = {
    "%C County Detention Center", "%L Senior Living", "%C Correctional Facility",
    "Camp %L", "%A Pines Retirement Community", "%C Rescue Mission",
};
static const char *const pat_health[] = {
    "%C General Hospital", "St. %T Medical Center", "%L Memorial Hospital",
    "%C Regional Health", "%A Valley Rehabilitation Center", "%C Children's Hospital",
};
static const char *const pat_edu[] = {
    "%C Unified School District", "%L Elementary School", "%C High School",
    "University of %C Dining Services", "%L College", "%A Ridge Academy",
};
static const char *const pat_corp[] = {
    "%L %I Campus Cafe", "%A %I HQ Dining", "%L & %L LLP Cafeteria", "%C %I Center Cafe",
    "%A %I Employee Dining",
};

static const char *const positions[] = {
    "Executive Chef", "Sous Chef", "Chef de Cuisine", "Purchasing Manager", "F&B Director",
    "Food & Beverage Manager", "General Manager", "Owner", "Kitchen Manager",
    "Director of Dining Services", "Foodservice Director", "Nutrition Services Director",
    "Catering Manager", "Procurement Specialist", "Operations Manager", "Culinary Director",
    "Banquet Chef", "Pastry Chef", "Buyer", "Accounts Payable Clerk",
    "Regional Purchasing Director", "Dietary Manager", "Restaurant Manager", "Co-Owner",
};

static const char *const products[] = {
    "frozen seafood", "Angus beef", "organic produce", "artisan cheeses", "paper & disposables",
    "specialty oils", "gluten-free baking mixes", "plant-based proteins", "imported pasta",
    "premium coffee", "dairy", "cleaning chemicals", "microgreens", "Wagyu", "poultry",
    "bakery items", "spices", "frozen desserts", "fresh herbs", "charcuterie",
};

static const char *const product_lines[] = {
    "Frozen Seafood Program", "Produce Supply Agreement", "Dairy Contract Renewal",
    "Disposables Conversion", "Center-of-Plate Proteins", "Bakery Program", "Beverage Program",
    "Holiday Catering Supplies", "Cleaning & Sanitation", "Specialty Cheese Program",
    "Plant-Based Menu Launch", "Coffee Service", "Dry Goods Consolidation", "Poultry Program",
};

static const char *const subj_call[] = {
    "Follow-up call about %P", "Pricing question on %P", "Called re: delivery window",
    "Intro call with chef", "Call about invoice discrepancy",
};
static const char *const subj_email[] = {
    "Sent updated price list", "Quote for %P", "Emailed spec sheets for %P",
    "Order confirmation", "Newsletter: seasonal %P",
};
static const char *const subj_meeting[] = {
    "Quarterly business review", "Menu planning meeting", "Contract renewal meeting",
    "Meeting with purchasing about %P",
};
static const char *const subj_visit[] = {
    "Site visit - kitchen walkthrough", "Visited to check storage for %P", "Drop-in visit",
};
static const char *const subj_sample[] = {"Dropped off %P samples", "Sample delivery: %P"};
static const char *const subj_tasting[] = {"Chef tasting: %P", "Tasting of new %P line"};
static const char *const subj_follow[] = {
    "Follow up on %P proposal", "Follow up after tasting", "Checking in on first order",
};
static const char *const subj_other[] = {"Trade show contact", "Holiday card", "Misc note"};

static const char *const next_actions[] = {
    "Send revised quote", "Schedule tasting", "Call back next week", "Deliver samples",
    "Introduce to regional chef", "Check on delivery issue", "Send credit application",
    "Book quarterly review", "Confirm pricing with category manager", "Set up on EDI ordering",
};

static const char *const sentences[] = {
    "Prefers deliveries before 7am.",
    "Loading dock is around the back; ring the bell twice.",
    "Chef is interested in local and seasonal produce.",
    "Currently buying from a competitor, contract ends in spring.",
    "Asked for net 30 terms.",
    "Very price sensitive on proteins.",
    "Menu changes every quarter; call a month ahead.",
    "Had a bad experience with late deliveries last year.",
    "Wants samples of the new plant-based line.",
    "Decision maker is the owner, not the manager.",
    "Kitchen is small, limited freezer space.",
    "Uses a group purchasing organization for dry goods.",
    "Open to consolidating suppliers if the price is right.",
    "Closed Mondays.",
    "Expanding to a second location next year.",
    "Mentioned a tight budget for the new fiscal year.",
    "Very happy with the seafood quality.",
    "Requested allergen documentation for all bakery items.",
    "Needs gluten-free options for the school menu.",
    "Invoice copies go to accounts payable, not the chef.",
    "Parking is difficult; use the loading zone.",
    "The sous chef places most of the orders.",
    "Asked about compostable disposables.",
    "Follow up after the health inspection.",
    "Catering volume peaks in December.",
    "Interested in a standing weekly order.",
    "Switched coffee supplier twice this year.",
    "Prefers email over phone calls.",
    "Will only meet on Tuesday afternoons.",
    "Credit limit raised after six months of on-time payments.",
};

static const char *const terms_sentences[] = {
    "Payment terms net 30 from invoice date.",
    "Prices are fixed for twelve months, except market-priced proteins.",
    "Minimum order of $500 per delivery.",
    "Deliveries three times a week.",
    "Either party may terminate with 60 days written notice.",
    "Fuel surcharge applies when diesel exceeds $5.00 per gallon.",
    "Product substitutions require the customer's approval.",
    "Credits for damaged goods must be requested within 24 hours.",
    "Volume rebate of 2% above $250,000 annual purchases.",
    "Renews automatically for one year unless cancelled.",
};

static const char *const huge_sentence =
    "Order history imported from the AS/400 system: weekly standing order of produce, "
    "dairy and dry goods, adjusted for holidays; see the attached ledger lines. ";

/* ------------------------------------------------------------------------
 * Dates and identifiers as the legacy database spells them.
 * ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *put_digits(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

#define DT_LEN 27 /* YYYY-MM-DD HH:MM:SS.fffffff */

/* DATETIME2 text, UTC, 7 fractional digits. frac7 is in units of 100 ns. */
static void fmt_datetime2(char *out, int64_t secs, uint32_t frac7)
{
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400, y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char *p = put_digits(out, (uint64_t)y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = ' ';
    p = put_digits(p, (uint64_t)(sod / 3600), 2);
    *p++ = ':';
    p = put_digits(p, (uint64_t)(sod / 60 % 60), 2);
    *p++ = ':';
    p = put_digits(p, (uint64_t)(sod % 60), 2);
    *p++ = '.';
    p = put_digits(p, frac7, 7);
    *p = '\0';
}

static const char hexdig_lo[] = "0123456789abcdef", hexdig_up[] = "0123456789ABCDEF";
static const char base36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/* A version-4 UUID string (36 chars) from 128 hashed bits. */
static void fmt_uuid(char *out, uint64_t hi, uint64_t lo, bool upper)
{
    const char *hx = upper ? hexdig_up : hexdig_lo;
    hi = (hi & ~UINT64_C(0xf000)) | UINT64_C(0x4000);                /* version 4 */
    lo = (lo & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);          /* RFC 4122 variant */
    unsigned char b[16];
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
    }
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hx[b[i] >> 4];
        *p++ = hx[b[i] & 15];
    }
    *p = '\0';
}

static char *put_base36(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = base36[v % 36];
        v /= 36;
    }
    return p + width;
}

/* A cuid (v1): 'c', 8 base36 digits of a millisecond timestamp, 4 of a
 * counter, 4 of a fingerprint and 8 random ones, 25 characters in all. */
static void fmt_cuid(char *out, int64_t ms, uint64_t h1, uint64_t h2)
{
    char *p = out;
    *p++ = 'c';
    p = put_base36(p, (uint64_t)ms, 8);
    p = put_base36(p, h1 % (36ULL * 36 * 36 * 36), 4);
    p = put_base36(p, (h1 >> 24) % (36ULL * 36 * 36 * 36), 4);
    p = put_base36(p, h2, 8);
    *p = '\0';
}

/* Exact decimal text with two decimals, never through a float. */
static size_t fmt_cents(char *out, int64_t cents)
{
    return (size_t)snprintf(out, 32, "%s%" PRId64 ".%02d", cents < 0 ? "-" : "",
                            (cents < 0 ? -cents : cents) / 100,
                            (int)((cents < 0 ? -cents : cents) % 100));
}

/* ------------------------------------------------------------------------
 * What the generator knows about the tables of the contract.
 * ------------------------------------------------------------------------ */

enum tab { T_USER, T_ACCOUNT, T_SESSION, T_VTOKEN, T_ORG, T_CONTACT, T_INTERACTION, T_OPP,
           T_LEAD, T_CONTRACT, T_COUNT };

static const char *const tab_names[T_COUNT] = {
    "User", "Account", "Session", "VerificationToken", "Organization", "Contact", "Interaction",
    "Opportunity", "Lead", "Contract",
};

/* The proportions of data-model.md §1 at scale s. */
static long rows_of(enum tab t, long s)
{
    long users = s / 1000 > 50 ? s / 1000 : 50;
    switch (t) {
    case T_USER: return users;
    case T_ACCOUNT: return users;
    case T_SESSION: return 2 * users;
    case T_VTOKEN: return users / 10;
    case T_ORG: return s;
    case T_CONTACT: return 3 * s;
    case T_INTERACTION: return 10 * s;
    case T_OPP: return s;
    case T_LEAD: return s / 2;
    case T_CONTRACT: return 3 * s / 10;
    default: return 0;
    }
}

static int tab_of(const char *name)
{
    for (int t = 0; t < T_COUNT; t++)
        if (strcmp(tab_names[t], name) == 0)
            return t;
    return -1;
}

long gen_table_rows(const char *table, long scale)
{
    int t = tab_of(table);
    return t < 0 ? -1 : rows_of((enum tab)t, scale);
}

/* Purposes of the stateless hash, combined with the table: (t << 8) | p. */
enum { P_ROW = 1, P_DIRT, P_ID, P_ODD_ID, P_REF, P_NAME, P_HUGE, P_MIGRATION };
#define SALT(t, p) ((uint64_t)(t) << 8 | (uint64_t)(p))

/* What a column means. Columns absent from field_map get a value by kind. */
enum field {
    F_GENERIC, F_ID, F_CREATED, F_UPDATED, F_REF_ORG, F_REF_CONTACT, F_REF_USER, F_REF_OPP,
    F_FULL_NAME, F_FIRST_NAME, F_LAST_NAME, F_EMAIL, F_PHONE, F_POSITION, F_NOTES, F_ACTIVE,
    F_EXPIRES, F_E_MAIN, F_E_SEGMENT,
    F_USER_VERIFIED, F_USER_IMAGE, F_USER_PASSWORD, F_USER_ROLE, F_USER_LOGIN, F_USER_RESET,
    F_USER_RESET_EXPIRY,
    F_ACC_TYPE, F_ACC_PROVIDER, F_ACC_PID, F_ACC_REFRESH, F_ACC_ACCESS, F_ACC_EXPIRES_AT,
    F_ACC_TOKEN_TYPE, F_ACC_SCOPE, F_ACC_ID_TOKEN, F_ACC_STATE,
    F_SESSION_TOKEN, F_VT_IDENTIFIER, F_VT_TOKEN,
    F_ORG_NAME, F_ADDRESS, F_CITY, F_STATE, F_ZIP, F_WEBSITE, F_REVENUE, F_EMPLOYEES,
    F_PRIMARY_CONTACT, F_LAST_CONTACT, F_NEXT_FOLLOW_UP,
    F_IS_PRIMARY,
    F_SUBJECT, F_INT_DATE, F_DURATION, F_NEXT_ACTION,
    F_OPP_NAME, F_DEAL_VALUE, F_PROBABILITY, F_CLOSE_DATE,
    F_COMPANY_NAME, F_SCORE,
    F_CONTRACT_NUMBER, F_CONTRACT_TITLE, F_START_DATE, F_END_DATE, F_TERMS, F_SIGNED_AT,
};

#define FL_NAME 1u   /* a display name: may carry terminal escapes */
#define FL_EMAIL 2u  /* an email address: may be malformed */
#define FL_CLEAN 4u  /* unique or machine-read: never dirtied */

static const struct field_map {
    const char *table;   /* NULL: any table */
    const char *column;
    enum field f;
    unsigned flags;
} field_map[] = {
    {NULL, "id", F_ID, FL_CLEAN},
    {NULL, "createdAt", F_CREATED, 0},
    {NULL, "updatedAt", F_UPDATED, 0},
    {NULL, "organizationId", F_REF_ORG, 0},
    {NULL, "contactId", F_REF_CONTACT, 0},
    {NULL, "userId", F_REF_USER, 0},
    {NULL, "email", F_EMAIL, FL_EMAIL},
    {NULL, "phone", F_PHONE, 0},
    {NULL, "notes", F_NOTES, 0},
    {NULL, "isActive", F_ACTIVE, 0},
    {NULL, "expires", F_EXPIRES, 0},
    {"User", "name", F_FULL_NAME, 0},
    {"User", "emailVerified", F_USER_VERIFIED, 0},
    {"User", "image", F_USER_IMAGE, 0},
    {"User", "password", F_USER_PASSWORD, 0},
    {"User", "role", F_USER_ROLE, 0},
    {"User", "lastLoginAt", F_USER_LOGIN, 0},
    {"User", "resetToken", F_USER_RESET, 0},
    {"User", "resetTokenExpiry", F_USER_RESET_EXPIRY, 0},
    {"Account", "type", F_ACC_TYPE, 0},
    {"Account", "provider", F_ACC_PROVIDER, 0},
    {"Account", "providerAccountId", F_ACC_PID, 0},
    {"Account", "refresh_token", F_ACC_REFRESH, 0},
    {"Account", "access_token", F_ACC_ACCESS, 0},
    {"Account", "expires_at", F_ACC_EXPIRES_AT, 0},
    {"Account", "token_type", F_ACC_TOKEN_TYPE, 0},
    {"Account", "scope", F_ACC_SCOPE, 0},
    {"Account", "id_token", F_ACC_ID_TOKEN, 0},
    {"Account", "session_state", F_ACC_STATE, 0},
    {"Session", "sessionToken", F_SESSION_TOKEN, 0},
    {"VerificationToken", "identifier", F_VT_IDENTIFIER, 0},
    {"VerificationToken", "token", F_VT_TOKEN, 0},
    {"Organization", "name", F_ORG_NAME, FL_NAME},
    {"Organization", "segment", F_E_SEGMENT, 0},
    {"Organization", "address", F_ADDRESS, 0},
    {"Organization", "city", F_CITY, 0},
    {"Organization", "state", F_STATE, 0},
    {"Organization", "zipCode", F_ZIP, 0},
    {"Organization", "website", F_WEBSITE, 0},
    {"Organization", "estimatedRevenue", F_REVENUE, 0},
    {"Organization", "employeeCount", F_EMPLOYEES, 0},
    {"Organization", "primaryContact", F_PRIMARY_CONTACT, FL_NAME},
    {"Organization", "lastContactDate", F_LAST_CONTACT, 0},
    {"Organization", "nextFollowUpDate", F_NEXT_FOLLOW_UP, 0},
    {"Contact", "firstName", F_FIRST_NAME, FL_NAME},
    {"Contact", "lastName", F_LAST_NAME, FL_NAME},
    {"Contact", "position", F_POSITION, 0},
    {"Contact", "isPrimary", F_IS_PRIMARY, 0},
    {"Interaction", "type", F_E_MAIN, 0},
    {"Interaction", "subject", F_SUBJECT, FL_NAME},
    {"Interaction", "description", F_NOTES, 0},
    {"Interaction", "date", F_INT_DATE, 0},
    {"Interaction", "duration", F_DURATION, 0},
    {"Interaction", "nextAction", F_NEXT_ACTION, 0},
    {"Opportunity", "name", F_OPP_NAME, FL_NAME},
    {"Opportunity", "stage", F_E_MAIN, 0},
    {"Opportunity", "value", F_DEAL_VALUE, 0},
    {"Opportunity", "probability", F_PROBABILITY, 0},
    {"Opportunity", "expectedCloseDate", F_CLOSE_DATE, 0},
    {"Lead", "companyName", F_COMPANY_NAME, FL_NAME},
    {"Lead", "contactName", F_FULL_NAME, FL_NAME},
    {"Lead", "status", F_E_MAIN, 0},
    {"Lead", "score", F_SCORE, 0},
    {"Lead", "assignedToId", F_REF_USER, 0},
    {"Contract", "contractNumber", F_CONTRACT_NUMBER, FL_CLEAN},
    {"Contract", "title", F_CONTRACT_TITLE, FL_NAME},
    {"Contract", "opportunityId", F_REF_OPP, 0},
    {"Contract", "status", F_E_MAIN, 0},
    {"Contract", "startDate", F_START_DATE, 0},
    {"Contract", "endDate", F_END_DATE, 0},
    {"Contract", "value", F_DEAL_VALUE, 0},
    {"Contract", "terms", F_TERMS, 0},
    {"Contract", "signedAt", F_SIGNED_AT, 0},
};

/* The UNIQUE constraints of §1, named as Prisma names them. The primary
 * keys come from the contract (COL_ID_* columns). */
static const struct unique_key {
    const char *table, *name, *cols[3];
} unique_keys[] = {
    {"User", "User_email_key", {"email", NULL, NULL}},
    {"Account", "Account_provider_providerAccountId_key", {"provider", "providerAccountId", NULL}},
    {"Session", "Session_sessionToken_key", {"sessionToken", NULL, NULL}},
    {"VerificationToken", "VerificationToken_token_key", {"token", NULL, NULL}},
    {"VerificationToken", "VerificationToken_identifier_token_key", {"identifier", "token", NULL}},
    {"Contract", "Contract_contractNumber_key", {"contractNumber", NULL, NULL}},
};

/* Each row picks its labels with these weights (labels not listed: 1). */
static const struct enum_weight {
    const char *type, *label;
    unsigned w;
} enum_weights[] = {
    {"OrganizationPriority", "A", 15}, {"OrganizationPriority", "B", 30},
    {"OrganizationPriority", "C", 35}, {"OrganizationPriority", "D", 20},
    {"OrganizationSegment", "FINE_DINING", 12}, {"OrganizationSegment", "FAST_FOOD", 18},
    {"OrganizationSegment", "CASUAL_DINING", 22}, {"OrganizationSegment", "CATERING", 10},
    {"OrganizationSegment", "INSTITUTIONAL", 10}, {"OrganizationSegment", "HEALTHCARE", 10},
    {"OrganizationSegment", "EDUCATION", 10}, {"OrganizationSegment", "CORPORATE", 8},
    {"OrganizationType", "PROSPECT", 45}, {"OrganizationType", "CUSTOMER", 45},
    {"OrganizationType", "INACTIVE", 10},
    {"OrganizationStatus", "ACTIVE", 75}, {"OrganizationStatus", "INACTIVE", 10},
    {"OrganizationStatus", "LEAD", 15},
    {"InteractionType", "CALL", 30}, {"InteractionType", "EMAIL", 25},
    {"InteractionType", "MEETING", 12}, {"InteractionType", "VISIT", 10},
    {"InteractionType", "SAMPLE_DELIVERY", 6}, {"InteractionType", "TASTING", 5},
    {"InteractionType", "FOLLOW_UP", 10}, {"InteractionType", "OTHER", 2},
    {"InteractionOutcome", "POSITIVE", 40}, {"InteractionOutcome", "NEUTRAL", 35},
    {"InteractionOutcome", "NEGATIVE", 10}, {"InteractionOutcome", "FOLLOW_UP_NEEDED", 15},
    {"OpportunityStage", "PROSPECTING", 25}, {"OpportunityStage", "QUALIFICATION", 20},
    {"OpportunityStage", "PROPOSAL", 18}, {"OpportunityStage", "NEGOTIATION", 12},
    {"OpportunityStage", "CLOSED_WON", 15}, {"OpportunityStage", "CLOSED_LOST", 10},
    {"LeadSource", "WEBSITE", 30}, {"LeadSource", "REFERRAL", 20},
    {"LeadSource", "TRADE_SHOW", 20}, {"LeadSource", "COLD_CALL", 15},
    {"LeadSource", "SOCIAL_MEDIA", 10}, {"LeadSource", "OTHER", 5},
    {"LeadStatus", "NEW", 30}, {"LeadStatus", "CONTACTED", 25}, {"LeadStatus", "QUALIFIED", 20},
    {"LeadStatus", "CONVERTED", 15}, {"LeadStatus", "LOST", 10},
    {"ContractStatus", "DRAFT", 10}, {"ContractStatus", "PENDING", 10},
    {"ContractStatus", "ACTIVE", 50}, {"ContractStatus", "EXPIRED", 20},
    {"ContractStatus", "TERMINATED", 10},
};

/* ------------------------------------------------------------------------
 * Dirt (--messy): kinds, rates, and the spellings used.
 * ------------------------------------------------------------------------ */

enum dirt {
    D_ENUM_VARIANT, D_ENUM_SYNONYM, D_ENUM_UNMATCHED, D_ENUM_EMPTY, D_ENUM_NULL, D_ORPHAN,
    D_BAD_EMAIL, D_EMAIL_CASE_DUP, D_NUL, D_SURROGATE, D_ESCAPE, D_FAR_DATE, D_ROUNDING,
    D_DECIMAL_SCALE, D_NON_UUID_ID, D_HUGE_TEXT, D_NON_UUID_REF, D_COUNT
};

/* bp: basis points (1/10,000) of the eligible non-NULL cells of a column. */
static const struct dirt_info {
    const char *name;
    unsigned bp;
    const char *meaning;
} dirt_info[D_COUNT] = {
    {"enum_variant", 150, "enum spelling that normalises to a label (trim, upper-case, "
                          "' ' and '-' to '_'): 'Fine Dining', ' FAST FOOD ', 'fast-food'"},
    {"enum_synonym", 50, "enum value that only the synonym table maps: 'QSR', 'HOSPITAL', 'K12'"},
    {"enum_unmatched", 50, "enum value that matches nothing: 'Steakhouse?\?', 'N/A'"},
    {"enum_empty", 50, "empty string in an enum column"},
    {"enum_null", 50, "NULL in an enum column that section 1 declares NOT NULL"},
    {"orphan", 100, "reference to a parent row that does not exist (FK created WITH NOCHECK)"},
    {"bad_email", 150, "malformed email: 'bob@', no at sign, a space, '@@', no dot in the domain"},
    {"email_case_dup", 100, "Contact email equal to an earlier contact's but for letter case"},
    {"nul", 50, "U+0000 inside the text"},
    {"lone_surrogate", 50, "unpaired UTF-16 surrogate (WTF-8 bytes ED A0..BF xx, or \\uD83D "
                           "with --surrogates=escape)"},
    {"terminal_escape", 50, "ANSI CSI / OSC 52 / OSC 8 escape sequence or U+202E in a name"},
    {"far_date", 50, "0001-01-01, 1899-12-30 or 9999-12-31 23:59:59.9999999"},
    {"datetime_rounding", 100, "DATETIME2 with a non-zero 7th fractional digit (100 ns), "
                               "which microseconds must round; far dates not counted"},
    {"decimal_scale", 100, "three decimals in a DECIMAL(14,2) column: '10.125'"},
    {"non_uuid_id", 100, "CRM primary key that is a numeric string or a cuid, child rows "
                         "referring to it by that id"},
    {"huge_text", 0, "NVARCHAR(MAX) value of more than 1 MiB: 1 + S/50000 in Organization.notes, "
                     "1 + S/100000 in Interaction.description"},
    {"non_uuid_ref", 0, "not dirt: a reference to a parent whose id is not a UUID"},
};

/* Each is in data/synonyms.conf, the engine's default table (tests/gen.sh
 * checks), so a synonym here is one the engine maps, not a rejected value. */
static const struct synonym {
    const char *type, *value, *label;
} synonyms[] = {
    {"OrganizationPriority", "1", "A"}, {"OrganizationPriority", "Tier 2", "B"},
    {"OrganizationSegment", "QSR", "FAST_FOOD"}, {"OrganizationSegment", "HOSPITAL", "HEALTHCARE"},
    {"OrganizationSegment", "K12", "EDUCATION"}, {"OrganizationSegment", "UNIVERSITY", "EDUCATION"},
    {"OrganizationSegment", "Corrections", "INSTITUTIONAL"},
    {"OrganizationSegment", "BANQUETS", "CATERING"},
    {"OrganizationType", "CLIENT", "CUSTOMER"},
    {"OrganizationStatus", "DISABLED", "INACTIVE"},
    {"InteractionType", "PHONE", "CALL"}, {"InteractionType", "E-MAIL", "EMAIL"},
    {"InteractionType", "SITE VISIT", "VISIT"},
    {"InteractionOutcome", "GOOD", "POSITIVE"}, {"InteractionOutcome", "BAD", "NEGATIVE"},
    {"OpportunityStage", "WON", "CLOSED_WON"}, {"OpportunityStage", "LOST", "CLOSED_LOST"},
    {"OpportunityStage", "QUOTE", "PROPOSAL"},
    {"LeadSource", "WEB", "WEBSITE"}, {"LeadSource", "TRADESHOW", "TRADE_SHOW"},
    {"LeadSource", "LINKEDIN", "SOCIAL_MEDIA"},
    {"LeadStatus", "WORKING", "CONTACTED"}, {"LeadStatus", "DEAD", "LOST"},
    {"ContractStatus", "SIGNED", "ACTIVE"}, {"ContractStatus", "CANCELLED", "TERMINATED"},
};

static const char *const unmatched_values[] = {
    "Steakhouse?\?", "N/A", "TBD", "unknown", "#REF!", "null", "?", "see notes",
};

static const char *const far_dates[] = {
    "0001-01-01 00:00:00.0000000", "9999-12-31 23:59:59.9999999", "1899-12-30 00:00:00.0000000",
};

static const char *const escapes_pre[] = {
    "\x1b[31m", "\xe2\x80\xae", "\x1b[2J\x1b[H", "",
};
static const char *const escapes_post[] = {
    "\x1b[0m", "", "", "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07",
};

/* Where the huge NVARCHAR(MAX) values go: 1 + S / per rows of the column. */
static const struct huge_target {
    const char *table, *column;
    long per;
} huge_targets[] = {
    {"Organization", "notes", 50000},
    {"Interaction", "description", 100000},
};
#define HUGE_BYTES 1100000 /* > 1 MiB, in bytes and in characters (ASCII) */

/* The reference "now": fixed, so the same seed gives the same file on any
 * day. Dates spread over the 5 years before it. */
#define NOW_Y 2026
#define NOW_M 11
#define NOW_D 1
#define YEAR_S ((int64_t)365 * 86400)

/* ------------------------------------------------------------------------
 * Generator state.
 * ------------------------------------------------------------------------ */

enum cell_type { CELL_NULL, CELL_TEXT, CELL_INT, CELL_REAL };

struct cell {
    enum cell_type type;
    const char *s;       /* CELL_TEXT: not NUL-terminated when it holds a NUL */
    size_t len;
    int64_t i;
    double d;
    bool odd_ref;        /* references a parent whose id is not a UUID */
};

struct enum_info {
    const char *type;
    const char *const *labels;
    size_t n;
    unsigned weights[16];
    unsigned total;
    const struct synonym *syn[8];
    size_t nsyn;
};

struct col_plan {
    const struct legacy_column *col;
    enum field f;
    unsigned flags;
    struct enum_info *en;   /* COL_ENUM */
    int ref;                /* COL_FK_*: the parent table (enum tab) */
    unsigned nkinds;
    enum dirt kinds[6];     /* the dirt this column may get */
    bool huge;              /* a huge_targets column */
};

struct tstate {
    const struct legacy_table *t;
    enum tab tab;
    long rows;
    struct col_plan plan[MAXCOLS];
    long huge_rows[64];
    int nhuge, huge_next;
    sqlite3_stmt *ins;
};

/* The parents and choices of the current row, made before its columns are
 * filled so that the columns agree with each other. */
struct ent {
    long org, contact, user, opp;
    int first, last, city, seg;
    int e_main;                     /* index of the row's main enum label */
    const char *e_main_type, *e_main_label;
    int64_t created, updated;
    /* Per table (see prep()): t1 the row's main date (expires, interaction
     * date, expected close, contract start), t2 a second one (reset token
     * expiry, contract end), t3 a third or a flag (contract signed; the
     * organization has no address; the account is Google's). */
    int64_t t1, t2, t3;
    bool active;
    char name[256];                 /* org / company / opportunity name */
    char email[256];
    char domain[96];
};

struct gen {
    const struct gen_opts *o;
    uint64_t seed;
    long scale;
    long n[T_COUNT];
    int64_t now;                    /* seconds since 1970 */
    struct rng r;                   /* the row's values */
    struct rng dr;                  /* the row's dirt */
    struct ent e;
    struct cell cells[MAXCOLS];
    bool dirty[MAXCOLS];
    struct strbuf cb[MAXCOLS];      /* the row's text values */
    struct strbuf db[MAXCOLS];      /* the same after dirt */
    struct strbuf last_email;       /* the last clean Contact email */
    char *huge;                     /* the huge text, made once */
    size_t huge_len;
    struct enum_info enums[16];
    size_t nenums;
    long dirt[T_COUNT][MAXCOLS][D_COUNT];
    long totals[D_COUNT];
    long row;                       /* the row being made */
    sqlite3 *sql;
    char **err;
    struct enum_info *seg_enum;
    const char *const *seg_pats[16];
    size_t seg_npats[16];
};

static int fail(struct gen *g, const char *fmt, ...) PANTRY_PRINTF(2, 3);
static int fail(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!*g->err)
        *g->err = xvasprintf(fmt, ap);
    va_end(ap);
    return -1;
}


/* ------------------------------------------------------------------------
 * Enums.
 * ------------------------------------------------------------------------ */

/* What the engine does before matching (data-model.md §3): trim, upper-case,
 * spaces and hyphens to '_'. Used here to prove that each spelling lands
 * in the class it is counted in. */
static void enum_norm(const char *s, size_t len, char *out, size_t cap)
{
    size_t a = 0, b = len, n = 0;
    while (a < b && s[a] == ' ')
        a++;
    while (b > a && s[b - 1] == ' ')
        b--;
    for (size_t i = a; i < b && n + 1 < cap; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (c == ' ' || c == '-')
            c = '_';
        out[n++] = c;
    }
    out[n] = '\0';
}

static int label_index(const struct enum_info *e, const char *label)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->labels[i], label) == 0)
            return (int)i;
    return -1;
}

static struct enum_info *enum_info(struct gen *g, const char *type)
{
    for (size_t i = 0; i < g->nenums; i++)
        if (strcmp(g->enums[i].type, type) == 0)
            return &g->enums[i];
    size_t n;
    const char *const *labels = legacy_enum_labels(type, &n);
    if (!labels || n == 0 || n > N_(g->enums[0].weights) || g->nenums == N_(g->enums)) {
        fail(g, "the generator cannot handle the enum type %s of the contract", type);
        return NULL;
    }
    struct enum_info *e = &g->enums[g->nenums++];
    e->type = type;
    e->labels = labels;
    e->n = n;
    e->total = 0;
    for (size_t i = 0; i < n; i++) {
        e->weights[i] = 1;
        for (size_t w = 0; w < N_(enum_weights); w++)
            if (strcmp(enum_weights[w].type, type) == 0 &&
                strcmp(enum_weights[w].label, labels[i]) == 0)
                e->weights[i] = enum_weights[w].w;
        e->total += e->weights[i];
    }
    e->nsyn = 0;
    for (size_t s = 0; s < N_(synonyms) && e->nsyn < N_(e->syn); s++)
        if (strcmp(synonyms[s].type, type) == 0)
            e->syn[e->nsyn++] = &synonyms[s];
    return e;
}

static int pick_enum(struct rng *r, const struct enum_info *e)
{
    uint32_t x = rng_below(r, e->total);
    for (size_t i = 0; i < e->n; i++) {
        if (x < e->weights[i])
            return (int)i;
        x -= e->weights[i];
    }
    return (int)e->n - 1;
}

/* A spelling of label that is not the label but normalises to it. */
static void enum_variant(struct rng *r, const char *label, struct strbuf *out)
{
    unsigned style = rng_below(r, 5);
    for (int attempt = 0; attempt < 2; attempt++) {
        sb_reset(out);
        if (style == 2)
            sb_addc(out, ' ');
        bool word_start = true;
        for (const char *p = label; *p; p++) {
            char c = *p;
            if (c == '_') {
                c = style == 1 ? '_' : style == 3 ? '-' : ' ';
                word_start = true;
            } else {
                bool lower = style == 1 || style == 3 || style == 4 || (style == 0 && !word_start);
                if (lower && c >= 'A' && c <= 'Z')
                    c = (char)(c - 'A' + 'a');
                word_start = false;
            }
            sb_addc(out, c);
        }
        if (style == 2 || style == 4)
            sb_addc(out, ' ');
        if (strcmp(out->buf, label) != 0)
            return;
        style = 2; /* "A" in title case is "A": pad it instead */
    }
}

/* ------------------------------------------------------------------------
 * Ids, names and parents that other rows recompute.
 * ------------------------------------------------------------------------ */

static int64_t cuid_ms(const struct gen *g, uint64_t h)
{
    return (g->now - 5 * YEAR_S) * 1000 + (int64_t)(h % (uint64_t)(5 * YEAR_S * 1000));
}

/* The primary key of row idx of table t into out (>= 40 bytes); returns
 * its length, and *odd = true when it is not a UUID (an imported row). */
static size_t row_id(const struct gen *g, enum tab t, long idx, char *out, bool *odd)
{
    uint64_t h1 = hash3(g->seed, SALT(t, P_ID), (uint64_t)idx);
    uint64_t h2 = hash3(h1, SALT(t, P_ID), (uint64_t)idx);
    *odd = false;
    if (t == T_USER || t == T_ACCOUNT || t == T_SESSION) {
        fmt_cuid(out, cuid_ms(g, h1), h1, h2);
        return 25;
    }
    if (g->o->messy) {
        uint64_t h = hash3(g->seed, SALT(t, P_ODD_ID), (uint64_t)idx);
        if (h % 10000 < dirt_info[D_NON_UUID_ID].bp) {
            *odd = true;
            if ((h >> 32) & 1) /* numeric, as the old system numbered rows */
                return (size_t)snprintf(out, 40, "%ld", 10000 + idx);
            fmt_cuid(out, cuid_ms(g, h1), h1, h2);
            return 25;
        }
    }
    /* SQL Server shows uniqueidentifiers upper-case; Prisma wrote lower. */
    fmt_uuid(out, h1, h2, (h2 >> 3) % 10 < 4);
    return 36;
}

static long contact_org(const struct gen *g, long c)
{
    return (long)(hash3(g->seed, SALT(T_CONTACT, P_REF), (uint64_t)c) % (uint64_t)g->n[T_ORG]);
}

static void opp_parents(const struct gen *g, long o, long *org, long *contact)
{
    uint64_t h = hash3(g->seed, SALT(T_OPP, P_REF), (uint64_t)o);
    if (h % 100 < 85 && g->n[T_CONTACT] > 0) {
        *contact = (long)((h >> 8) % (uint64_t)g->n[T_CONTACT]);
        *org = contact_org(g, *contact);
    } else {
        *contact = -1;
        *org = (long)((h >> 8) % (uint64_t)g->n[T_ORG]);
    }
}

static size_t append(char *out, size_t n, size_t cap, const char *s)
{
    while (*s && n + 1 < cap)
        out[n++] = *s++;
    out[n] = '\0';
    return n;
}

/* Lower-case ASCII letters and digits of s, accents folded (é -> e): what
 * a person types into an email address or a domain name. */
static size_t slugify(char *out, size_t n, size_t cap, const char *s, size_t max)
{
    static const char fold[] = "aaaaaaaceeeeiiiidnooooo/ouuuuyty"; /* U+00C0.. and U+00E0.. */
    size_t start = n;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 1 < cap && n - start < max;
         p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            out[n++] = (char)*p;
        else if (*p >= 'A' && *p <= 'Z')
            out[n++] = (char)(*p - 'A' + 'a');
        else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            char c = fold[p[1] & 0x1F];
            if (c != '/')
                out[n++] = c;
            p++;
        }
    }
    out[n] = '\0';
    return n;
}

/* Expands a name pattern (see pat_fine). */
static size_t expand(struct rng *r, const char *pat, const char *city, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = pat; *p; p++) {
        if (*p != '%' || !p[1]) {
            char one[2] = {*p, '\0'};
            n = append(out, n, cap, one);
            continue;
        }
        const char *w = "";
        switch (*++p) {
        case 'F': w = PICK(r, first_names); break;
        case 'L': w = PICK(r, last_names); break;
        case 'A': w = PICK(r, adjectives); break;
        case 'N': w = PICK(r, nouns); break;
        case 'X': w = PICK(r, animals); break;
        case 'C': w = city; break;
        case 'T': w = PICK(r, saints); break;
        case 'I': w = PICK(r, industries); break;
        case 'P': w = PICK(r, products); break;
        default: break;
        }
        n = append(out, n, cap, w);
    }
    return n;
}

/* The identity of organization o (salt T_ORG) or of a lead's company
 * (salt T_LEAD): segment, city, name and web domain, from its own hash so
 * that contacts and opportunities can recompute it. */
static void org_identity(const struct gen *g, enum tab salt, long o, struct ent *e)
{
    struct rng r;
    rng_seed(&r, hash3(g->seed, SALT(salt, P_NAME), (uint64_t)o));
    e->seg = pick_enum(&r, g->seg_enum);
    e->city = (int)rng_below(&r, (uint32_t)N_(cities));
    const char *pat = g->seg_pats[e->seg][rng_below(&r, (uint32_t)g->seg_npats[e->seg])];
    expand(&r, pat, cities[e->city].name, e->name, sizeof e->name);
    size_t n = slugify(e->domain, 0, sizeof e->domain, e->name, 28);
    if (n == 0)
        n = append(e->domain, 0, sizeof e->domain, "kitchen");
    append(e->domain, n, sizeof e->domain, ".example");
}

/* User u's names, a bijection on [0, F*L) so that emails are unique. */
static void user_names(long u, int *first, int *last, long *suffix)
{
    long nf = (long)N_(first_names), m = nf * (long)N_(last_names);
    /* u -> k is a permutation of [0, m): 7919 is a prime that does not
     * divide m (check_contract makes sure). */
    long k = (u % m * 7919 + 17) % m;
    *suffix = u / m;
    *first = (int)(k % nf);
    *last = (int)(k / nf);
}

static void user_email(long u, char *out, size_t cap)
{
    int f, l;
    long suffix;
    user_names(u, &f, &l, &suffix);
    size_t n = slugify(out, 0, cap, first_names[f], 40);
    n = append(out, n, cap, ".");
    n = slugify(out, n, cap, last_names[l], 40);
    if (suffix > 0) {
        char num[24];
        snprintf(num, sizeof num, "%ld", suffix);
        n = append(out, n, cap, num);
    }
    append(out, n, cap, "@kitchenpantry.example");
}

static void person_email(struct rng *r, int f, int l, const char *domain, char *out, size_t cap)
{
    size_t n = 0;
    switch (rng_below(r, 4)) {
    case 0: /* j.smith */
        n = slugify(out, 0, cap, first_names[f], 1);
        n = append(out, n, cap, ".");
        n = slugify(out, n, cap, last_names[l], 40);
        break;
    case 1: /* jsmith */
        n = slugify(out, 0, cap, first_names[f], 1);
        n = slugify(out, n, cap, last_names[l], 40);
        break;
    default: /* john.smith */
        n = slugify(out, 0, cap, first_names[f], 40);
        n = append(out, n, cap, ".");
        n = slugify(out, n, cap, last_names[l], 40);
        break;
    }
    n = append(out, n, cap, "@");
    append(out, n, cap, domain);
}

/* ------------------------------------------------------------------------
 * Row preparation: the parents and choices of a row.
 * ------------------------------------------------------------------------ */

static int64_t past(struct gen *g, int64_t span)
{
    return g->now - (int64_t)rng_below(&g->r, (uint32_t)span);
}

/* A time between t and now, most often soon after t. */
static int64_t after(struct gen *g, int64_t t)
{
    int64_t span = g->now - t;
    if (span <= 0)
        return t;
    int64_t d = (int64_t)rng_below(&g->r, (uint32_t)(span < 2 * YEAR_S ? span : 2 * YEAR_S));
    return t + d / (1 + (int64_t)rng_below(&g->r, 4));
}

static long pick_row(struct gen *g, enum tab t)
{
    return g->n[t] > 0 ? (long)rng_below(&g->r, (uint32_t)g->n[t]) : -1;
}

static void prep(struct gen *g, enum tab t, long i)
{
    struct ent *e = &g->e;
    struct rng *r = &g->r;
    e->org = e->contact = e->user = e->opp = -1;
    e->first = e->last = e->city = e->seg = e->e_main = -1;
    e->e_main_type = e->e_main_label = NULL;
    e->name[0] = e->email[0] = e->domain[0] = '\0';
    e->t1 = e->t2 = e->t3 = 0;
    e->active = true;
    e->created = past(g, 5 * YEAR_S);
    e->updated = after(g, e->created);

    switch (t) {
    case T_USER: {
        long suffix;
        user_names(i, &e->first, &e->last, &suffix);
        user_email(i, e->email, sizeof e->email);
        e->active = rng_pct(r, 90);
        if (rng_pct(r, 5))
            e->t2 = g->now + (int64_t)rng_below(r, 86400);
        break;
    }
    case T_ACCOUNT:
        e->user = i % g->n[T_USER];
        e->t3 = rng_pct(r, 70) ? 0 : 1; /* 0: azure-ad, 1: google */
        break;
    case T_SESSION:
        e->user = pick_row(g, T_USER);
        e->t1 = g->now - 30 * 86400 + (int64_t)rng_below(r, 60 * 86400);
        break;
    case T_VTOKEN:
        e->user = pick_row(g, T_USER);
        user_email(e->user, e->email, sizeof e->email);
        e->t1 = g->now - 2 * 86400 + (int64_t)rng_below(r, 3 * 86400);
        break;
    case T_ORG:
        org_identity(g, T_ORG, i, e);
        if (!rng_pct(r, 10)) {
            static const char *const boxes[] = {"info", "orders", "purchasing", "hello",
                                                "kitchen", "accounts"};
            size_t n = append(e->email, 0, sizeof e->email, PICK(r, boxes));
            n = append(e->email, n, sizeof e->email, "@");
            append(e->email, n, sizeof e->email, e->domain);
        }
        e->t3 = rng_pct(r, 8); /* no address on file */
        break;
    case T_CONTACT: {
        e->org = contact_org(g, i);
        struct ent o;
        org_identity(g, T_ORG, e->org, &o);
        e->city = o.city;
        e->first = (int)rng_below(r, (uint32_t)N_(first_names));
        e->last = (int)rng_below(r, (uint32_t)N_(last_names));
        if (!rng_pct(r, 25))
            person_email(r, e->first, e->last, o.domain, e->email, sizeof e->email);
        break;
    }
    case T_INTERACTION:
        if (rng_pct(r, 85) && g->n[T_CONTACT] > 0) {
            e->contact = pick_row(g, T_CONTACT);
            e->org = contact_org(g, e->contact);
        } else {
            e->org = pick_row(g, T_ORG);
        }
        if (rng_pct(r, 90))
            e->user = pick_row(g, T_USER);
        e->t1 = past(g, 5 * YEAR_S);
        e->created = e->t1 + (int64_t)rng_below(r, 2 * 86400);
        if (e->created > g->now)
            e->created = g->now;
        e->updated = after(g, e->created);
        break;
    case T_OPP: {
        opp_parents(g, i, &e->org, &e->contact);
        struct ent o;
        org_identity(g, T_ORG, e->org, &o);
        size_t n = append(e->name, 0, sizeof e->name, o.name);
        n = append(e->name, n, sizeof e->name, " - ");
        append(e->name, n, sizeof e->name, PICK(r, product_lines));
        e->t1 = e->created + (30 + (int64_t)rng_below(r, 150)) * 86400;
        break;
    }
    case T_LEAD:
        e->first = (int)rng_below(r, (uint32_t)N_(first_names));
        e->last = (int)rng_below(r, (uint32_t)N_(last_names));
        if (rng_pct(r, 80))
            e->user = pick_row(g, T_USER);
        break;
    case T_CONTRACT: {
        if (rng_pct(r, 80) && g->n[T_OPP] > 0) {
            e->opp = pick_row(g, T_OPP);
            opp_parents(g, e->opp, &e->org, &e->contact);
            if (!rng_pct(r, 70))
                e->contact = -1;
        } else {
            e->org = pick_row(g, T_ORG);
        }
        /* Some start in the next two months; none is signed in the future. */
        e->t1 = past(g, 4 * YEAR_S) + (int64_t)rng_below(r, 60 * 86400);  /* start */
        e->t2 = e->t1 + (1 + (int64_t)rng_below(r, 3)) * YEAR_S;           /* end */
        e->t3 = e->t1 - (1 + (int64_t)rng_below(r, 30)) * 86400;            /* signed */
        if (e->t3 > g->now)
            e->t3 = g->now - (int64_t)rng_below(r, 86400);
        e->created = e->t3 - (int64_t)rng_below(r, 20 * 86400);
        e->updated = after(g, e->created);
        break;
    }
    default:
        break;
    }
}

/* The main enum of a row (stage, status, type) is picked here, once the
 * table's column plan is known, so that the other columns can follow it. */
static void prep_main_enum(struct gen *g, struct tstate *ts, long i)
{
    struct ent *e = &g->e;
    for (size_t c = 0; c < ts->t->ncols; c++) {
        if (ts->plan[c].f != F_E_MAIN)
            continue;
        struct enum_info *en = ts->plan[c].en;
        e->e_main_type = en->type;
        e->e_main = pick_enum(&g->r, en);
        const char *label = e->e_main_label = en->labels[e->e_main];
        if (ts->tab == T_OPP)
            e->active = !(str_eq(label, "CLOSED_WON") || str_eq(label, "CLOSED_LOST"))
                            ? rng_pct(&g->r, 95) : rng_pct(&g->r, 5);
        if (ts->tab == T_LEAD) {
            bool converted = str_eq(label, "CONVERTED"), qualified = str_eq(label, "QUALIFIED");
            if (converted || (qualified && rng_pct(&g->r, 20))) {
                e->org = pick_row(g, T_ORG);
                org_identity(g, T_ORG, e->org, e);
            } else {
                org_identity(g, T_LEAD, i, e);
            }
            if (rng_pct(&g->r, 70))
                person_email(&g->r, e->first, e->last, e->domain, e->email, sizeof e->email);
        }
        break;
    }
}

/* ------------------------------------------------------------------------
 * Column values.
 * ------------------------------------------------------------------------ */

static void cell_text(struct cell *cl, const char *s, size_t len)
{
    cl->type = CELL_TEXT;
    cl->s = s;
    cl->len = len;
}

static void cell_sb(struct cell *cl, struct strbuf *sb)
{
    cell_text(cl, sb->buf ? sb->buf : "", sb->len);
}

static void cell_static(struct cell *cl, const char *s)
{
    cell_text(cl, s, strlen(s));
}

static void cell_int(struct cell *cl, int64_t v)
{
    cl->type = CELL_INT;
    cl->i = v;
}

static void put_dt(struct gen *g, struct cell *cl, struct strbuf *sb, int64_t secs)
{
    char buf[40];
    /* Prisma writes JavaScript Dates: millisecond precision, so the last
     * four of the seven digits are zero in clean data. */
    fmt_datetime2(buf, secs, rng_below(&g->r, 1000) * 10000);
    sb_addn(sb, buf, DT_LEN);
    cell_sb(cl, sb);
}

static void put_hex(struct gen *g, struct strbuf *sb, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_addc(sb, hexdig_lo[rng_below(&g->r, 16)]);
}

/* Something shaped like a JWT: three base64url parts. */
static void put_jwt(struct gen *g, struct strbuf *sb, size_t len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    sb_adds(sb, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ");
    for (size_t i = 0; i < len; i++) {
        if (i == len * 2 / 3)
            sb_addc(sb, '.');
        sb_addc(sb, b64[rng_below(&g->r, 64)]);
    }
}

static void put_sentences(struct gen *g, struct strbuf *sb, const char *const *list, size_t n,
                          long count)
{
    for (long k = 0; k < count; k++) {
        if (k > 0)
            sb_adds(sb, k % 7 == 0 ? "\n\n" : " ");
        sb_adds(sb, list[rng_below(&g->r, (uint32_t)n)]);
    }
}

/* Notes: NULL, a line, a paragraph, or (rarely) a few KB. */
static void put_notes(struct gen *g, struct cell *cl, struct strbuf *sb, unsigned null_pct,
                      unsigned long_pct)
{
    struct rng *r = &g->r;
    if (rng_pct(r, null_pct))
        return;
    long count = rng_pct(r, long_pct) ? rng_range(r, 15, 60)
                 : rng_pct(r, 25)     ? rng_range(r, 3, 8)
                                      : rng_range(r, 1, 2);
    put_sentences(g, sb, sentences, N_(sentences), count);
    cell_sb(cl, sb);
}

static void put_phone(struct gen *g, struct cell *cl, struct strbuf *sb, int city)
{
    struct rng *r = &g->r;
    const char *area = cities[city >= 0 ? city : (int)rng_below(r, (uint32_t)N_(cities))].area;
    unsigned line = 100 + rng_below(r, 100); /* 555-0100..0199: reserved for fiction */
    switch (rng_below(r, 10)) {
    case 0: sb_addf(sb, "%s-555-%04u", area, line); break;
    case 1: sb_addf(sb, "+1 %s 555 %04u", area, line); break;
    case 2: sb_addf(sb, "(%s) 555-%04u x%u", area, line, 10 + rng_below(r, 90)); break;
    default: sb_addf(sb, "(%s) 555-%04u", area, line); break;
    }
    cell_sb(cl, sb);
}

static void put_ref(struct gen *g, struct cell *cl, struct strbuf *sb, const struct col_plan *p,
                    long idx)
{
    if (idx < 0 && !p->col->nullable)
        idx = pick_row(g, (enum tab)p->ref);
    if (idx < 0)
        return;
    char id[48];
    bool odd;
    size_t n = row_id(g, (enum tab)p->ref, idx, id, &odd);
    sb_addn(sb, id, n);
    cell_sb(cl, sb);
    cl->odd_ref = odd;
}

static void put_cents(struct cell *cl, struct strbuf *sb, int64_t cents)
{
    char buf[32];
    sb_addn(sb, buf, fmt_cents(buf, cents));
    cell_sb(cl, sb);
}

/* An amount in cents from lo_cents up to lo_cents * 10^decades, each decade
 * as likely as the next: deal sizes span orders of magnitude. */
static int64_t log_cents(struct gen *g, int64_t lo_cents, int decades)
{
    int64_t v = lo_cents;
    int d = (int)rng_below(&g->r, (uint32_t)decades);
    for (int k = 0; k < d; k++)
        v *= 10;
    return v + (int64_t)rng_below(&g->r, (uint32_t)(v * 9 > 4000000000 ? 4000000000 : v * 9));
}

static void put_generic(struct gen *g, const struct col_plan *p, struct cell *cl,
                        struct strbuf *sb)
{
    struct rng *r = &g->r;
    const struct legacy_column *c = p->col;
    if (c->nullable && rng_pct(r, 20))
        return;
    switch (c->kind) {
    case COL_ENUM:
        cell_static(cl, p->en->labels[pick_enum(r, p->en)]);
        break;
    case COL_DATETIME:
        put_dt(g, cl, sb, after(g, g->e.created));
        break;
    case COL_BIT:
        cell_int(cl, rng_pct(r, 50));
        break;
    case COL_INT:
        cell_int(cl, rng_range(r, 0, 1000));
        break;
    case COL_FLOAT:
        cl->type = CELL_REAL;
        cl->d = (double)rng_below(r, 100000000) / 100.0;
        break;
    case COL_DECIMAL:
        put_cents(cl, sb, log_cents(g, 100000, 3));
        break;
    case COL_FK_TEXT:
    case COL_FK_UUID:
        put_ref(g, cl, sb, p, -1);
        break;
    case COL_TEXT_MAX:
        put_notes(g, cl, sb, 0, 2);
        break;
    default:
        sb_adds(sb, PICK(r, nouns));
        cell_sb(cl, sb);
        break;
    }
}

static const char *const *subjects_for(const char *type, size_t *n)
{
    static const struct {
        const char *type;
        const char *const *list;
        size_t n;
    } map[] = {
        {"CALL", subj_call, N_(subj_call)}, {"EMAIL", subj_email, N_(subj_email)},
        {"MEETING", subj_meeting, N_(subj_meeting)}, {"VISIT", subj_visit, N_(subj_visit)},
        {"SAMPLE_DELIVERY", subj_sample, N_(subj_sample)},
        {"TASTING", subj_tasting, N_(subj_tasting)}, {"FOLLOW_UP", subj_follow, N_(subj_follow)},
    };
    for (size_t i = 0; i < N_(map); i++)
        if (str_eq(map[i].type, type)) {
            *n = map[i].n;
            return map[i].list;
        }
    *n = N_(subj_other);
    return subj_other;
}

static void fill_cell(struct gen *g, struct tstate *ts, int c)
{
    const struct col_plan *p = &ts->plan[c];
    struct cell *cl = &g->cells[c];
    struct strbuf *sb = &g->cb[c];
    struct ent *e = &g->e;
    struct rng *r = &g->r;
    const char *main_label = e->e_main_label;
    sb_reset(sb);
    cl->type = CELL_NULL;
    cl->odd_ref = false;

    switch (p->f) {
    case F_ID: {
        char id[48];
        bool odd;
        size_t n = row_id(g, ts->tab, g->row, id, &odd);
        sb_addn(sb, id, n);
        cell_sb(cl, sb);
        if (odd) {
            g->dirt[ts->tab][c][D_NON_UUID_ID]++;
            g->totals[D_NON_UUID_ID]++;
        }
        break;
    }
    case F_CREATED: put_dt(g, cl, sb, e->created); break;
    case F_UPDATED: put_dt(g, cl, sb, e->updated); break;
    case F_REF_ORG: put_ref(g, cl, sb, p, e->org); break;
    case F_REF_CONTACT: put_ref(g, cl, sb, p, e->contact); break;
    case F_REF_USER: put_ref(g, cl, sb, p, e->user); break;
    case F_REF_OPP: put_ref(g, cl, sb, p, e->opp); break;
    case F_FULL_NAME:
        if (p->col->nullable && rng_pct(r, ts->tab == T_USER ? 3 : 15))
            break;
        if (e->first < 0) {
            e->first = (int)rng_below(r, (uint32_t)N_(first_names));
            e->last = (int)rng_below(r, (uint32_t)N_(last_names));
        }
        sb_addf(sb, "%s %s", first_names[e->first], last_names[e->last]);
        cell_sb(cl, sb);
        break;
    case F_FIRST_NAME: sb_adds(sb, first_names[e->first]); cell_sb(cl, sb); break;
    case F_LAST_NAME: sb_adds(sb, last_names[e->last]); cell_sb(cl, sb); break;
    case F_EMAIL:
        if (e->email[0]) {
            sb_adds(sb, e->email);
            cell_sb(cl, sb);
        }
        break;
    case F_PHONE:
        if (!(p->col->nullable && rng_pct(r, 20)))
            put_phone(g, cl, sb, e->city);
        break;
    case F_POSITION:
        if (!rng_pct(r, 10))
            cell_static(cl, PICK(r, positions));
        break;
    case F_NOTES:
        switch (ts->tab) {
        case T_ORG: put_notes(g, cl, sb, 35, 5); break;
        case T_CONTACT: put_notes(g, cl, sb, 70, 1); break;
        case T_INTERACTION: put_notes(g, cl, sb, 45, 1); break;
        case T_OPP: put_notes(g, cl, sb, 50, 3); break;
        default: put_notes(g, cl, sb, 60, 2); break;
        }
        break;
    case F_ACTIVE: cell_int(cl, e->active); break;
    case F_EXPIRES: put_dt(g, cl, sb, e->t1); break;
    case F_E_MAIN:
        if (e->e_main >= 0 && p->en && str_eq(p->en->type, e->e_main_type))
            cell_static(cl, p->en->labels[e->e_main]);
        else
            put_generic(g, p, cl, sb);
        break;
    case F_E_SEGMENT:
        if (p->en == g->seg_enum && e->seg >= 0)
            cell_static(cl, p->en->labels[e->seg]);
        else
            put_generic(g, p, cl, sb);
        break;
    case F_USER_VERIFIED:
        if (rng_pct(r, 70))
            put_dt(g, cl, sb, e->created + (int64_t)rng_below(r, 7 * 86400));
        break;
    case F_USER_IMAGE:
        if (rng_pct(r, 30)) {
            sb_adds(sb, "https://avatars.kitchenpantry.example/u/");
            put_hex(g, sb, 16);
            sb_adds(sb, ".png");
            cell_sb(cl, sb);
        }
        break;
    case F_USER_PASSWORD:
        if (rng_pct(r, 85)) {
            static const char bc[] =
                "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            sb_adds(sb, "$2b$10$");
            for (int k = 0; k < 53; k++)
                sb_addc(sb, bc[rng_below(r, 64)]);
            cell_sb(cl, sb);
        }
        break;
    case F_USER_ROLE: {
        unsigned x = rng_below(r, 100);
        cell_static(cl, x < 5 ? "admin" : x < 20 ? "manager" : "user");
        break;
    }
    case F_USER_LOGIN:
        if (rng_pct(r, 85))
            put_dt(g, cl, sb, past(g, 90 * 86400));
        break;
    case F_USER_RESET:
        if (e->t2) {
            put_hex(g, sb, 64);
            cell_sb(cl, sb);
        }
        break;
    case F_USER_RESET_EXPIRY:
        if (e->t2)
            put_dt(g, cl, sb, e->t2);
        break;
    case F_ACC_TYPE: cell_static(cl, "oauth"); break;
    case F_ACC_PROVIDER: cell_static(cl, e->t3 ? "google" : "azure-ad"); break;
    case F_ACC_PID: {
        /* From the row's own hash: (provider, providerAccountId) is UNIQUE. */
        uint64_t h1 = hash3(g->seed, SALT(T_ACCOUNT, P_NAME), (uint64_t)g->row);
        uint64_t h2 = hash3(h1, SALT(T_ACCOUNT, P_NAME), (uint64_t)g->row);
        char buf[48];
        if (e->t3) {
            snprintf(buf, sizeof buf, "1%010" PRIu64 "%010" PRIu64, h1 % UINT64_C(10000000000),
                     h2 % UINT64_C(10000000000));
        } else {
            fmt_uuid(buf, h1, h2, false);
        }
        sb_adds(sb, buf);
        cell_sb(cl, sb);
        break;
    }
    case F_ACC_REFRESH:
        if (rng_pct(r, 80)) {
            put_jwt(g, sb, 300 + rng_below(r, 200));
            cell_sb(cl, sb);
        }
        break;
    case F_ACC_ACCESS:
        put_jwt(g, sb, 900 + rng_below(r, 500));
        cell_sb(cl, sb);
        break;
    case F_ACC_EXPIRES_AT:
        cell_int(cl, g->now - 30 * 86400 + (int64_t)rng_below(r, 31 * 86400));
        break;
    case F_ACC_TOKEN_TYPE: cell_static(cl, e->t3 ? "Bearer" : "bearer"); break;
    case F_ACC_SCOPE:
        cell_static(cl, e->t3 ? "openid https://www.googleapis.com/auth/userinfo.email "
                                "https://www.googleapis.com/auth/userinfo.profile"
                              : "openid profile email offline_access User.Read");
        break;
    case F_ACC_ID_TOKEN:
        put_jwt(g, sb, 600 + rng_below(r, 300));
        cell_sb(cl, sb);
        break;
    case F_ACC_STATE:
        if (!e->t3) {
            char buf[40];
            fmt_uuid(buf, rng_next(r), rng_next(r), false);
            sb_adds(sb, buf);
            cell_sb(cl, sb);
        }
        break;
    case F_SESSION_TOKEN:
    case F_VT_TOKEN: {
        /* From the row's own hash: the column is UNIQUE. */
        uint64_t h = hash3(g->seed, SALT(ts->tab, P_NAME), (uint64_t)g->row);
        char buf[40];
        if (p->f == F_SESSION_TOKEN) {
            fmt_uuid(buf, h, hash3(h, 1, (uint64_t)g->row), false);
            sb_adds(sb, buf);
        } else {
            for (int k = 0; k < 4; k++) {
                snprintf(buf, sizeof buf, "%016" PRIx64, h);
                sb_adds(sb, buf);
                h = hash3(h, 2, (uint64_t)g->row);
            }
        }
        cell_sb(cl, sb);
        break;
    }
    case F_VT_IDENTIFIER: sb_adds(sb, e->email); cell_sb(cl, sb); break;
    case F_ORG_NAME:
    case F_COMPANY_NAME:
    case F_OPP_NAME:
        sb_adds(sb, e->name);
        cell_sb(cl, sb);
        break;
    case F_ADDRESS:
        if (!e->t3) {
            sb_addf(sb, "%u %s %s", 1 + rng_below(r, 9899), PICK(r, streets), PICK(r, street_kinds));
            if (rng_pct(r, 15))
                sb_addf(sb, ", Suite %u", 100 + 10 * rng_below(r, 80));
            cell_sb(cl, sb);
        }
        break;
    case F_CITY:
        if (!e->t3)
            cell_static(cl, cities[e->city].name);
        break;
    case F_STATE:
        if (!e->t3)
            cell_static(cl, cities[e->city].state);
        break;
    case F_ZIP:
        if (!e->t3) {
            sb_addf(sb, "%s%02u", cities[e->city].zip3, rng_below(r, 100));
            cell_sb(cl, sb);
        }
        break;
    case F_WEBSITE:
        if (!rng_pct(r, 20)) {
            sb_addf(sb, rng_pct(r, 80) ? "https://www.%s" : "http://%s/", e->domain);
            cell_sb(cl, sb);
        }
        break;
    case F_REVENUE:
        if (!rng_pct(r, 15)) {
            cl->type = CELL_REAL;
            cl->d = (double)log_cents(g, 5000000, 3) / 100.0; /* $50k .. $50M */
        }
        break;
    case F_EMPLOYEES:
        if (!rng_pct(r, 20))
            cell_int(cl, rng_range(r, 5, 40) * (1 + (long)rng_below(r, 3) * 10));
        break;
    case F_PRIMARY_CONTACT:
        if (!rng_pct(r, 40)) {
            sb_addf(sb, "%s %s", PICK(r, first_names), PICK(r, last_names));
            cell_sb(cl, sb);
        }
        break;
    case F_LAST_CONTACT:
        if (!rng_pct(r, 30))
            put_dt(g, cl, sb, after(g, e->created));
        break;
    case F_NEXT_FOLLOW_UP:
        if (!rng_pct(r, 50))
            put_dt(g, cl, sb, g->now + (int64_t)rng_below(r, 60 * 86400));
        break;
    case F_IS_PRIMARY: cell_int(cl, rng_pct(r, 30)); break;
    case F_SUBJECT: {
        size_t n;
        const char *const *list = subjects_for(main_label ? main_label : "", &n);
        char buf[200];
        expand(r, list[rng_below(r, (uint32_t)n)], "", buf, sizeof buf);
        sb_adds(sb, buf);
        cell_sb(cl, sb);
        break;
    }
    case F_INT_DATE: put_dt(g, cl, sb, e->t1); break;
    case F_DURATION:
        if (main_label && (str_eq(main_label, "EMAIL") || str_eq(main_label, "OTHER")))
            break;
        if (main_label && (str_eq(main_label, "MEETING") || str_eq(main_label, "VISIT")))
            cell_int(cl, 15 * rng_range(r, 2, 10));
        else
            cell_int(cl, rng_range(r, 3, 45));
        break;
    case F_NEXT_ACTION:
        if (rng_pct(r, 50))
            cell_static(cl, PICK(r, next_actions));
        break;
    case F_DEAL_VALUE:
        if (!p->col->nullable)
            put_cents(cl, sb, log_cents(g, 1000000, 3)); /* contracts: $10k .. $10M */
        else if (!rng_pct(r, 10))
            put_cents(cl, sb, log_cents(g, 500000, 3)); /* deals: $5k .. $5M */
        break;
    case F_PROBABILITY:
        if (!rng_pct(r, 10) && main_label) {
            static const struct {
                const char *stage;
                int p;
            } probs[] = {{"PROSPECTING", 10}, {"QUALIFICATION", 25}, {"PROPOSAL", 50},
                         {"NEGOTIATION", 75}, {"CLOSED_WON", 100}, {"CLOSED_LOST", 0}};
            for (size_t k = 0; k < N_(probs); k++)
                if (str_eq(probs[k].stage, main_label))
                    cell_int(cl, probs[k].p);
        }
        break;
    case F_CLOSE_DATE:
        if (!rng_pct(r, 15))
            put_dt(g, cl, sb, e->t1);
        break;
    case F_SCORE:
        if (!rng_pct(r, 15))
            cell_int(cl, rng_range(r, 0, 100));
        break;
    case F_CONTRACT_NUMBER: {
        char buf[40];
        fmt_datetime2(buf, e->t1, 0);
        /* The row number makes it unique; the year is the start's. */
        sb_addf(sb, "KP-%.4s-%06ld", buf, g->row + 1);
        cell_sb(cl, sb);
        break;
    }
    case F_CONTRACT_TITLE:
        if (!rng_pct(r, 15)) {
            char buf[40];
            fmt_datetime2(buf, e->t1, 0);
            sb_addf(sb, "%s Agreement %.4s", PICK(r, product_lines), buf);
            cell_sb(cl, sb);
        }
        break;
    case F_START_DATE: put_dt(g, cl, sb, e->t1); break;
    case F_END_DATE:
        if (!rng_pct(r, 10))
            put_dt(g, cl, sb, e->t2);
        break;
    case F_TERMS:
        if (!rng_pct(r, 30)) {
            put_sentences(g, sb, terms_sentences, N_(terms_sentences),
                          rng_pct(r, 20) ? rng_range(r, 8, 20) : rng_range(r, 2, 5));
            cell_sb(cl, sb);
        }
        break;
    case F_SIGNED_AT:
        if (main_label && !str_eq(main_label, "DRAFT") && !str_eq(main_label, "PENDING"))
            put_dt(g, cl, sb, e->t3);
        break;
    case F_GENERIC:
    default:
        put_generic(g, p, cl, sb);
        break;
    }
}

/* ------------------------------------------------------------------------
 * Dirt.
 * ------------------------------------------------------------------------ */

static void tally(struct gen *g, const struct tstate *ts, int c, enum dirt k)
{
    g->dirt[ts->tab][c][k]++;
    g->totals[k]++;
}

/* Back off to the start of a UTF-8 character, so that an insertion leaves
 * the rest of the value valid. */
static size_t char_start(const char *s, size_t len, size_t pos)
{
    while (pos > 0 && pos < len && ((unsigned char)s[pos] & 0xC0) == 0x80)
        pos--;
    return pos;
}

static void insert_at(struct strbuf *d, const struct cell *cl, size_t pos, const char *ins,
                      size_t n)
{
    sb_addn(d, cl->s, pos);
    sb_addn(d, ins, n);
    sb_addn(d, cl->s + pos, cl->len - pos);
}

static void bad_email(struct rng *r, const char *s, size_t len, struct strbuf *d)
{
    const char *at = memchr(s, '@', len);
    if (!at) { /* not an email to begin with: make it 'bob@' */
        sb_addn(d, s, len);
        sb_addc(d, '@');
        return;
    }
    size_t local = at ? (size_t)(at - s) : len;
    const char *dom = at + 1;
    size_t dlen = len - local - 1;
    switch (rng_below(r, 5)) {
    case 0: /* bob@ */
        sb_addn(d, s, local);
        sb_addc(d, '@');
        break;
    case 1: /* no-at-sign.com */
        sb_addn(d, s, local);
        sb_addc(d, '.');
        sb_addn(d, dom, dlen);
        break;
    case 2: { /* a b@c.com */
        const char *dot = memchr(s, '.', local);
        if (dot) {
            sb_addn(d, s, (size_t)(dot - s));
            sb_addc(d, ' ');
            sb_addn(d, dot + 1, len - (size_t)(dot - s) - 1);
        } else {
            sb_addn(d, s, local);
            sb_adds(d, " @");
            sb_addn(d, dom, dlen);
        }
        break;
    }
    case 3: /* two at signs */
        sb_addn(d, s, local);
        sb_adds(d, "@@");
        sb_addn(d, dom, dlen);
        break;
    default: { /* no dot in the domain */
        const char *dot = memchr(dom, '.', dlen);
        sb_addn(d, s, local + 1);
        sb_addn(d, dom, dot ? (size_t)(dot - dom) : dlen);
        if (!dot)
            sb_adds(d, "@"); /* keep it malformed: two at signs */
        break;
    }
    }
}

/* Applies one kind of dirt to cell c; false when it does not apply here. */
static bool apply_dirt(struct gen *g, struct tstate *ts, int c, enum dirt k)
{
    const struct col_plan *p = &ts->plan[c];
    struct cell *cl = &g->cells[c];
    struct strbuf *d = &g->db[c];
    struct rng *r = &g->dr;
    sb_reset(d);
    switch (k) {
    case D_ENUM_VARIANT:
        enum_variant(r, cl->s, d);
        cell_sb(cl, d);
        return true;
    case D_ENUM_SYNONYM:
        if (!p->en->nsyn)
            return false;
        cell_static(cl, p->en->syn[rng_below(r, (uint32_t)p->en->nsyn)]->value);
        return true;
    case D_ENUM_UNMATCHED:
        cell_static(cl, PICK(r, unmatched_values));
        return true;
    case D_ENUM_EMPTY:
        cell_static(cl, "");
        return true;
    case D_ENUM_NULL:
        cl->type = CELL_NULL;
        return true;
    case D_ORPHAN: {
        char id[48];
        uint64_t h1 = rng_next(r), h2 = rng_next(r);
        if (p->col->kind == COL_FK_UUID)
            fmt_uuid(id, h1, h2, rng_pct(r, 40));
        else
            fmt_cuid(id, cuid_ms(g, h1), h1, h2);
        sb_adds(d, id);
        cell_sb(cl, d);
        cl->odd_ref = false;
        return true;
    }
    case D_BAD_EMAIL:
        bad_email(r, cl->s, cl->len, d);
        cell_sb(cl, d);
        return true;
    case D_EMAIL_CASE_DUP: {
        /* The same person typed in again: an earlier contact's email with
         * capitals. SQL Server's case-insensitive collation sees one. */
        if (!g->last_email.len)
            return false;
        bool all = rng_pct(r, 30), cap = true;
        for (size_t i = 0; i < g->last_email.len; i++) {
            char ch = g->last_email.buf[i];
            if (ch >= 'a' && ch <= 'z' && (all || cap))
                ch = (char)(ch - 'a' + 'A');
            cap = ch == '.' || ch == '@';
            sb_addc(d, ch);
        }
        cell_sb(cl, d);
        return true;
    }
    case D_NUL:
        insert_at(d, cl, char_start(cl->s, cl->len, cl->len / 2), "", 1);
        cell_sb(cl, d);
        return true;
    case D_SURROGATE: {
        /* Half of them a truncated emoji (high surrogate D83D at the end),
         * the rest any surrogate anywhere. */
        bool tail = rng_pct(r, 50);
        unsigned cu = tail ? 0xD83D : 0xD800 + rng_below(r, 0x800);
        size_t pos = tail ? cl->len : char_start(cl->s, cl->len, rng_below(r, (uint32_t)cl->len + 1));
        char buf[8];
        size_t n;
        if (g->o->escape_surrogates) {
            n = (size_t)snprintf(buf, sizeof buf, "\\u%04X", cu);
        } else {
            buf[0] = (char)0xED;
            buf[1] = (char)(0x80 | ((cu >> 6) & 0x3F));
            buf[2] = (char)(0x80 | (cu & 0x3F));
            n = 3;
        }
        insert_at(d, cl, pos, buf, n);
        cell_sb(cl, d);
        return true;
    }
    case D_ESCAPE: {
        unsigned v = rng_below(r, (uint32_t)N_(escapes_pre));
        sb_adds(d, escapes_pre[v]);
        sb_addn(d, cl->s, cl->len);
        sb_adds(d, escapes_post[v]);
        cell_sb(cl, d);
        return true;
    }
    case D_FAR_DATE:
        cell_static(cl, PICK(r, far_dates));
        return true;
    case D_ROUNDING:
        if (cl->len != DT_LEN)
            return false;
        sb_addn(d, cl->s, cl->len);
        for (int i = 23; i < 26; i++)
            d->buf[i] = (char)('0' + rng_below(r, 10));
        d->buf[26] = (char)('1' + rng_below(r, 9));
        cell_sb(cl, d);
        return true;
    case D_DECIMAL_SCALE:
        sb_addn(d, cl->s, cl->len);
        sb_addc(d, (char)('1' + rng_below(r, 9)));
        cell_sb(cl, d);
        return true;
    default:
        return false;
    }
}

static void make_huge(struct gen *g)
{
    if (g->huge)
        return;
    struct strbuf sb;
    sb_init(&sb);
    sb_adds(&sb, "[imported from the AS/400 order system]\n");
    size_t n = strlen(huge_sentence);
    while (sb.len < HUGE_BYTES)
        sb_addn(&sb, huge_sentence, n);
    g->huge_len = sb.len;
    g->huge = sb_detach(&sb);
}

static void dirty_row(struct gen *g, struct tstate *ts, long i)
{
    rng_seed(&g->dr, hash3(g->seed, SALT(ts->tab, P_DIRT), (uint64_t)i));
    for (size_t c = 0; c < ts->t->ncols; c++) {
        const struct col_plan *p = &ts->plan[c];
        struct cell *cl = &g->cells[c];
        if (p->huge && ts->huge_next < ts->nhuge && ts->huge_rows[ts->huge_next] == i) {
            make_huge(g);
            cell_text(cl, g->huge, g->huge_len);
            tally(g, ts, (int)c, D_HUGE_TEXT);
            g->dirty[c] = true;
            ts->huge_next++;
            continue;
        }
        if (p->nkinds == 0 || cl->type == CELL_NULL)
            continue;
        unsigned roll = rng_below(&g->dr, 10000), acc = 0;
        for (unsigned k = 0; k < p->nkinds; k++) {
            acc += dirt_info[p->kinds[k]].bp;
            if (roll < acc) {
                if (apply_dirt(g, ts, (int)c, p->kinds[k])) {
                    tally(g, ts, (int)c, p->kinds[k]);
                    g->dirty[c] = true;
                }
                break;
            }
        }
    }
}

/* ------------------------------------------------------------------------
 * Plans: what each column of the contract gets.
 * ------------------------------------------------------------------------ */

static const struct field_map *field_of(const char *table, const char *column)
{
    const struct field_map *any = NULL;
    for (size_t i = 0; i < N_(field_map); i++) {
        if (strcmp(field_map[i].column, column) != 0)
            continue;
        if (field_map[i].table && strcmp(field_map[i].table, table) == 0)
            return &field_map[i];
        if (!field_map[i].table)
            any = &field_map[i];
    }
    return any;
}

static void add_kind(struct col_plan *p, enum dirt k)
{
    if (p->nkinds < N_(p->kinds))
        p->kinds[p->nkinds++] = k;
}

static int plan_table(struct gen *g, struct tstate *ts, const struct legacy_table *t)
{
    memset(ts, 0, sizeof *ts);
    ts->t = t;
    ts->tab = (enum tab)tab_of(t->name);
    ts->rows = g->n[ts->tab];
    for (size_t c = 0; c < t->ncols; c++) {
        const struct legacy_column *col = &t->cols[c];
        struct col_plan *p = &ts->plan[c];
        const struct field_map *fm = field_of(t->name, col->name);
        p->col = col;
        p->f = fm ? fm->f : F_GENERIC;
        p->flags = fm ? fm->flags : 0;
        if (col->kind == COL_ENUM && !(p->en = enum_info(g, col->enum_type)))
            return -1;
        if (col->kind == COL_FK_TEXT || col->kind == COL_FK_UUID) {
            p->ref = col->ref_table ? tab_of(col->ref_table) : -1;
            if (p->ref < 0)
                return fail(g, "%s.%s refers to %s, unknown to the generator", t->name,
                            col->name, col->ref_table ? col->ref_table : "(nothing)");
        }
        /* The dirt this column may carry. Auth tables only get orphans: the
         * engine copies them verbatim. */
        switch (col->kind) {
        case COL_ENUM:
            add_kind(p, D_ENUM_VARIANT);
            if (p->en->nsyn)
                add_kind(p, D_ENUM_SYNONYM);
            add_kind(p, D_ENUM_UNMATCHED);
            add_kind(p, D_ENUM_EMPTY);
            /* NULL is legal in a nullable enum column: not dirt there. */
            if (!col->nullable)
                add_kind(p, D_ENUM_NULL);
            break;
        case COL_FK_TEXT:
        case COL_FK_UUID:
            add_kind(p, D_ORPHAN);
            break;
        default:
            break;
        }
        if (!t->crm || (p->flags & FL_CLEAN))
            continue;
        switch (col->kind) {
        case COL_TEXT:
            if (p->flags & FL_EMAIL) {
                add_kind(p, D_BAD_EMAIL);
                if (ts->tab == T_CONTACT)
                    add_kind(p, D_EMAIL_CASE_DUP);
                break;
            }
            add_kind(p, D_NUL);
            add_kind(p, D_SURROGATE);
            if (p->flags & FL_NAME)
                add_kind(p, D_ESCAPE);
            break;
        case COL_TEXT_MAX:
            add_kind(p, D_NUL);
            add_kind(p, D_SURROGATE);
            break;
        case COL_DATETIME:
            add_kind(p, D_FAR_DATE);
            add_kind(p, D_ROUNDING);
            break;
        case COL_DECIMAL:
            add_kind(p, D_DECIMAL_SCALE);
            break;
        default:
            break;
        }
        for (size_t h = 0; h < N_(huge_targets); h++) {
            if (!str_eq(huge_targets[h].table, t->name) || !str_eq(huge_targets[h].column, col->name))
                continue;
            p->huge = g->o->messy && ts->rows > 0;
            if (!p->huge)
                continue;
            /* Spread 1 + S/per rows evenly, one per stripe. */
            long k = 1 + g->scale / huge_targets[h].per;
            if (k > (long)N_(ts->huge_rows))
                k = (long)N_(ts->huge_rows);
            if (k > ts->rows)
                k = ts->rows;
            long stripe = ts->rows / k;
            for (long j = 0; j < k; j++)
                ts->huge_rows[j] = j * stripe + (long)(hash3(g->seed, SALT(ts->tab, P_HUGE),
                                                             (uint64_t)j) % (uint64_t)stripe);
            ts->nhuge = (int)k;
        }
    }
    return 0;
}

/* Refuses to run when the contract and what the generator knows about it
 * have drifted apart: better than silently generating the wrong schema. */
static int check_contract(struct gen *g)
{
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    if (nt != T_COUNT)
        return fail(g, "the contract has %zu tables, the generator knows %d", nt, T_COUNT);
    for (size_t i = 0; i < nt; i++) {
        if (tab_of(tables[i].name) < 0)
            return fail(g, "the generator does not know the table %s", tables[i].name);
        if (tables[i].ncols > MAXCOLS)
            return fail(g, "%s has too many columns for the generator", tables[i].name);
    }
    for (size_t i = 0; i < N_(field_map); i++) {
        const struct legacy_table *t = field_map[i].table ? legacy_table(field_map[i].table) : NULL;
        if (field_map[i].table && (!t || !legacy_column(t, field_map[i].column)))
            return fail(g, "the generator fills %s.%s, which is not in the contract",
                        field_map[i].table, field_map[i].column);
    }
    for (size_t i = 0; i < N_(unique_keys); i++) {
        const struct legacy_table *t = legacy_table(unique_keys[i].table);
        for (int k = 0; k < 3 && unique_keys[i].cols[k]; k++)
            if (!t || !legacy_column(t, unique_keys[i].cols[k]))
                return fail(g, "unique key %s names a column not in the contract",
                            unique_keys[i].name);
    }
    for (size_t i = 0; i < N_(huge_targets); i++) {
        const struct legacy_table *t = legacy_table(huge_targets[i].table);
        const struct legacy_column *c = t ? legacy_column(t, huge_targets[i].column) : NULL;
        if (!c || c->kind != COL_TEXT_MAX)
            return fail(g, "%s.%s is not an NVARCHAR(MAX) column of the contract",
                        huge_targets[i].table, huge_targets[i].column);
    }
    /* Each synonym maps to a label and is not itself a spelling of one;
     * unmatched values match nothing. Otherwise the counts would lie. */
    for (size_t i = 0; i < N_(synonyms); i++) {
        struct enum_info *e = enum_info(g, synonyms[i].type);
        char norm[64];
        if (!e)
            return -1;
        enum_norm(synonyms[i].value, strlen(synonyms[i].value), norm, sizeof norm);
        if (label_index(e, synonyms[i].label) < 0 || label_index(e, norm) >= 0)
            return fail(g, "bad synonym %s for %s", synonyms[i].value, synonyms[i].type);
    }
    for (size_t i = 0; i < nt; i++)
        for (size_t c = 0; c < tables[i].ncols; c++) {
            if (tables[i].cols[c].kind != COL_ENUM)
                continue;
            struct enum_info *e = enum_info(g, tables[i].cols[c].enum_type);
            if (!e)
                return -1;
            for (size_t u = 0; u < N_(unmatched_values); u++) {
                char norm[64], sn[64];
                enum_norm(unmatched_values[u], strlen(unmatched_values[u]), norm, sizeof norm);
                if (label_index(e, norm) >= 0)
                    return fail(g, "'%s' matches a label of %s", unmatched_values[u], e->type);
                for (size_t s = 0; s < e->nsyn; s++) {
                    enum_norm(e->syn[s]->value, strlen(e->syn[s]->value), sn, sizeof sn);
                    if (str_eq(sn, norm))
                        return fail(g, "'%s' is a synonym of %s", unmatched_values[u], e->type);
                }
            }
        }
    /* Users' emails are unique only if names fold to distinct ASCII. */
    const char *const *lists[] = {first_names, last_names};
    size_t lens[] = {N_(first_names), N_(last_names)};
    for (int l = 0; l < 2; l++)
        for (size_t a = 0; a < lens[l]; a++)
            for (size_t b = a + 1; b < lens[l]; b++) {
                char sa[64], sbb[64];
                slugify(sa, 0, sizeof sa, lists[l][a], 60);
                slugify(sbb, 0, sizeof sbb, lists[l][b], 60);
                if (str_eq(sa, sbb))
                    return fail(g, "names %s and %s fold to the same email", lists[l][a],
                                lists[l][b]);
            }
    if ((long)(N_(first_names) * N_(last_names)) % 7919 == 0)
        return fail(g, "the name lists' sizes break user_names()");
    /* Organization names follow the segment. */
    if (!(g->seg_enum = enum_info(g, "OrganizationSegment")))
        return -1;
    static const struct {
        const char *label;
        const char *const *pats;
        size_t n;
    } seg_pats[] = {
        {"FINE_DINING", pat_fine, N_(pat_fine)}, {"FAST_FOOD", pat_fast, N_(pat_fast)},
        {"CASUAL_DINING", pat_casual, N_(pat_casual)},
        {"CATERING", pat_catering, N_(pat_catering)},
        {"INSTITUTIONAL", pat_institutional, N_(pat_institutional)},
        {"HEALTHCARE", pat_health, N_(pat_health)}, {"EDUCATION", pat_edu, N_(pat_edu)},
        {"CORPORATE", pat_corp, N_(pat_corp)},
    };
    for (size_t s = 0; s < g->seg_enum->n; s++) {
        g->seg_pats[s] = pat_casual;
        g->seg_npats[s] = N_(pat_casual);
        for (size_t k = 0; k < N_(seg_pats); k++)
            if (str_eq(seg_pats[k].label, g->seg_enum->labels[s])) {
                g->seg_pats[s] = seg_pats[k].pats;
                g->seg_npats[s] = seg_pats[k].n;
            }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * SQLite.
 * ------------------------------------------------------------------------ */

static int exec_sql(struct gen *g, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(g->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fail(g, "SQLite: %s (in: %.60s)", msg ? msg : sqlite3_errmsg(g->sql), sql);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static void add_quoted(struct strbuf *sb, const char *s, char q)
{
    sb_addc(sb, q);
    for (; *s; s++) {
        if (*s == q)
            sb_addc(sb, q);
        sb_addc(sb, *s);
    }
    sb_addc(sb, q);
}

/* CREATE TABLE from the contract. Every column is nullable but the primary
 * key: §1 has NOT NULL columns, but the dirt injects NULLs into the NOT
 * NULL enum columns (hand edits did, in the real database), and SQLite
 * would refuse them. The declared types are SQL Server's, spelled by
 * legacy_mssql_type(); SQLite cannot parse NVARCHAR(MAX), so that one is
 * quoted, which SQLite keeps verbatim as the declared type. */
static void ddl_table(struct strbuf *sb, const struct legacy_table *t)
{
    sb_adds(sb, "CREATE TABLE ");
    add_quoted(sb, t->name, '"');
    sb_adds(sb, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        const struct legacy_column *c = &t->cols[i];
        const char *type = legacy_mssql_type(c);
        sb_adds(sb, i ? ",\n    " : "\n    ");
        add_quoted(sb, c->name, '"');
        sb_addc(sb, ' ');
        if (strchr(type, '(') && !strchr(type, ',') && strstr(type, "(MAX)"))
            add_quoted(sb, type, '"');
        else
            sb_adds(sb, type);
        if (c->kind == COL_ID_TEXT || c->kind == COL_ID_UUID)
            sb_adds(sb, " NOT NULL PRIMARY KEY");
        if (c->fallback) {
            sb_adds(sb, " DEFAULT ");
            if (c->kind == COL_BIT || c->kind == COL_INT)
                sb_addf(sb, "%ld", strtol(c->fallback, NULL, 10));
            else
                add_quoted(sb, c->fallback, '\'');
        }
    }
    sb_adds(sb, "\n)");
}

static int prepare_insert(struct gen *g, struct tstate *ts)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_adds(&sb, "INSERT INTO ");
    add_quoted(&sb, ts->t->name, '"');
    sb_adds(&sb, " (");
    for (size_t i = 0; i < ts->t->ncols; i++) {
        if (i)
            sb_adds(&sb, ", ");
        add_quoted(&sb, ts->t->cols[i].name, '"');
    }
    sb_adds(&sb, ") VALUES (");
    for (size_t i = 0; i < ts->t->ncols; i++)
        sb_adds(&sb, i ? ", ?" : "?");
    sb_adds(&sb, ")");
    int rc = sqlite3_prepare_v2(g->sql, sb.buf, -1, &ts->ins, NULL);
    sb_free(&sb);
    if (rc != SQLITE_OK)
        return fail(g, "SQLite: %s", sqlite3_errmsg(g->sql));
    return 0;
}

static int insert_row(struct gen *g, struct tstate *ts)
{
    sqlite3_stmt *st = ts->ins;
    for (size_t c = 0; c < ts->t->ncols; c++) {
        const struct cell *cl = &g->cells[c];
        int rc, i = (int)c + 1;
        switch (cl->type) {
        case CELL_TEXT:
            /* An explicit length, so that a NUL inside is stored. The
             * buffers live until the next row is made, after the step. */
            rc = sqlite3_bind_text(st, i, cl->s, (int)cl->len, SQLITE_STATIC);
            break;
        case CELL_INT: rc = sqlite3_bind_int64(st, i, cl->i); break;
        case CELL_REAL: rc = sqlite3_bind_double(st, i, cl->d); break;
        default: rc = sqlite3_bind_null(st, i); break;
        }
        if (rc != SQLITE_OK)
            return fail(g, "SQLite: %s", sqlite3_errmsg(g->sql));
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail(g, "SQLite: inserting into %s: %s", ts->t->name, sqlite3_errmsg(g->sql));
    return 0;
}

static int gen_table(struct gen *g, struct tstate *ts)
{
    int email_col = ts->tab == T_CONTACT ? legacy_column_index(ts->t, "email") : -1;
    if (prepare_insert(g, ts) != 0)
        return -1;
    for (long i = 0; i < ts->rows; i++) {
        g->row = i;
        rng_seed(&g->r, hash3(g->seed, SALT(ts->tab, P_ROW), (uint64_t)i));
        prep(g, ts->tab, i);
        prep_main_enum(g, ts, i);
        for (size_t c = 0; c < ts->t->ncols; c++) {
            g->dirty[c] = false;
            fill_cell(g, ts, (int)c);
        }
        if (g->o->messy)
            dirty_row(g, ts, i);
        for (size_t c = 0; c < ts->t->ncols; c++)
            if (g->cells[c].odd_ref && ts->plan[c].col->kind == COL_FK_UUID)
                tally(g, ts, (int)c, D_NON_UUID_REF);
        if (email_col >= 0 && !g->dirty[email_col] && g->cells[email_col].type == CELL_TEXT) {
            sb_reset(&g->last_email);
            sb_addn(&g->last_email, g->cells[email_col].s, g->cells[email_col].len);
        }
        if (insert_row(g, ts) != 0)
            return -1;
    }
    sqlite3_finalize(ts->ins);
    ts->ins = NULL;
    return 0;
}

/* Prisma's bookkeeping table as its SQL Server provider creates it. */
static int gen_prisma_migrations(struct gen *g)
{
    static const char *const names[] = {
        "20220114093000_init", "20220602141500_contracts", "20230305080000_lead_scoring",
    };
    if (exec_sql(g, "CREATE TABLE \"_prisma_migrations\" (\n"
                    "    \"id\" VARCHAR(36) NOT NULL PRIMARY KEY,\n"
                    "    \"checksum\" VARCHAR(64) NOT NULL,\n"
                    "    \"finished_at\" DATETIMEOFFSET,\n"
                    "    \"migration_name\" NVARCHAR(250) NOT NULL,\n"
                    "    \"logs\" \"NVARCHAR(MAX)\",\n"
                    "    \"rolled_back_at\" DATETIMEOFFSET,\n"
                    "    \"started_at\" DATETIMEOFFSET NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
                    "    \"applied_steps_count\" INT NOT NULL DEFAULT 0\n)") != 0)
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(g->sql, "INSERT INTO \"_prisma_migrations\" VALUES (?, ?, ?, ?, NULL, "
                                    "NULL, ?, 1)", -1, &st, NULL) != SQLITE_OK)
        return fail(g, "SQLite: %s", sqlite3_errmsg(g->sql));
    for (size_t i = 0; i < N_(names); i++) {
        uint64_t h = hash3(g->seed, SALT(0, P_MIGRATION), i);
        char id[40], sum[80], started[48], finished[48];
        fmt_uuid(id, h, hash3(h, 1, i), false);
        for (int k = 0; k < 4; k++)
            snprintf(sum + 16 * k, 17, "%016" PRIx64, hash3(h, 2, (uint64_t)k));
        /* The migration's own timestamp is in its name. */
        int y, mo, d, hh, mm, ss;
        if (sscanf(names[i], "%4d%2d%2d%2d%2d%2d", &y, &mo, &d, &hh, &mm, &ss) != 6)
            y = 2022, mo = d = 1, hh = mm = ss = 0;
        int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
        fmt_datetime2(started, t, 1230000);
        fmt_datetime2(finished, t + 1, 4560000);
        strcat(started, " +00:00");
        strcat(finished, " +00:00");
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, sum, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, finished, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, names[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, started, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fail(g, "SQLite: %s", sqlite3_errmsg(g->sql));
            sqlite3_finalize(st);
            return -1;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return (int)N_(names);
}

static int create_unique_keys(struct gen *g)
{
    for (size_t i = 0; i < N_(unique_keys); i++) {
        struct strbuf sb;
        sb_init(&sb);
        sb_adds(&sb, "CREATE UNIQUE INDEX ");
        add_quoted(&sb, unique_keys[i].name, '"');
        sb_adds(&sb, " ON ");
        add_quoted(&sb, unique_keys[i].table, '"');
        sb_adds(&sb, " (");
        for (int k = 0; k < 3 && unique_keys[i].cols[k]; k++) {
            if (k)
                sb_adds(&sb, ", ");
            add_quoted(&sb, unique_keys[i].cols[k], '"');
        }
        sb_adds(&sb, ")");
        int rc = exec_sql(g, sb.buf);
        sb_free(&sb);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * The dirt report.
 * ------------------------------------------------------------------------ */

static json_t *dirt_json(struct gen *g, int migrations)
{
    json_t *root = json_object(), *rows = json_object(), *kinds = json_object();
    json_t *syn = json_object(), *dirt = json_object(), *totals = json_object();
    char seed[32], now[40];
    snprintf(seed, sizeof seed, "%" PRIu64, g->seed);
    fmt_datetime2(now, g->now, 0);
    json_object_set_new(root, "generator", json_string("pantrycrm demo generate " PACKAGE_VERSION));
    json_object_set_new(root, "scale", json_integer(g->scale));
    json_object_set_new(root, "seed", json_string(seed));
    json_object_set_new(root, "messy", json_boolean(g->o->messy));
    json_object_set_new(root, "surrogates", json_string(g->o->escape_surrogates ? "escape" : "wtf8"));
    json_object_set_new(root, "reference_time", json_string(now));
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    for (size_t t = 0; t < nt; t++)
        json_object_set_new(rows, tables[t].name, json_integer(g->n[tab_of(tables[t].name)]));
    json_object_set_new(rows, "_prisma_migrations", json_integer(migrations));
    json_object_set_new(root, "rows", rows);
    for (int k = 0; k < D_COUNT; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "rate", json_real(dirt_info[k].bp / 10000.0));
        json_object_set_new(o, "meaning", json_string(dirt_info[k].meaning));
        json_object_set_new(kinds, dirt_info[k].name, o);
    }
    json_object_set_new(root, "kinds", kinds);
    for (size_t s = 0; s < N_(synonyms); s++) {
        json_t *m = json_object_get(syn, synonyms[s].type);
        if (!m)
            json_object_set_new(syn, synonyms[s].type, m = json_object());
        json_object_set_new(m, synonyms[s].value, json_string(synonyms[s].label));
    }
    json_object_set_new(root, "synonyms", syn);
    json_t *unmatched = json_array();
    for (size_t u = 0; u < N_(unmatched_values); u++)
        json_array_append_new(unmatched, json_string(unmatched_values[u]));
    json_object_set_new(root, "unmatched_values", unmatched);
    for (size_t t = 0; t < nt; t++) {
        int ti = tab_of(tables[t].name);
        json_t *to = NULL;
        for (size_t c = 0; c < tables[t].ncols; c++) {
            json_t *co = NULL;
            for (int k = 0; k < D_COUNT; k++) {
                long v = g->dirt[ti][c][k];
                if (!v)
                    continue;
                if (!to)
                    json_object_set_new(dirt, tables[t].name, to = json_object());
                if (!co)
                    json_object_set_new(to, tables[t].cols[c].name, co = json_object());
                json_object_set_new(co, dirt_info[k].name, json_integer(v));
            }
        }
    }
    json_object_set_new(root, "dirt", dirt);
    for (int k = 0; k < D_COUNT; k++)
        json_object_set_new(totals, dirt_info[k].name, json_integer(g->totals[k]));
    json_object_set_new(root, "totals", totals);
    return root;
}

static void print_dirt(struct gen *g, FILE *log)
{
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    fprintf(log, "dirt injected (table.column kind count):\n");
    for (size_t t = 0; t < nt; t++) {
        int ti = tab_of(tables[t].name);
        for (size_t c = 0; c < tables[t].ncols; c++)
            for (int k = 0; k < D_COUNT; k++)
                if (g->dirt[ti][c][k]) {
                    char name[96];
                    snprintf(name, sizeof name, "%s.%s", tables[t].name, tables[t].cols[c].name);
                    fprintf(log, "  %-34s %-18s %8ld\n", name, dirt_info[k].name,
                            g->dirt[ti][c][k]);
                }
    }
    for (int k = 0; k < D_COUNT; k++)
        fprintf(log, "  %-34s %-18s %8ld\n", "total", dirt_info[k].name, g->totals[k]);
}

/* ------------------------------------------------------------------------
 * Files: FILE.tmp, created exclusively, renamed into place at the end.
 * ------------------------------------------------------------------------ */

static int fsync_path(const char *path, bool dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

/* Creates path exclusively (a stale one is removed first when force). */
static int create_excl(struct gen *g, const char *path, bool force)
{
    if (force && unlink(path) != 0 && errno != ENOENT)
        return fail(g, "cannot remove %s: %s", path, strerror(errno));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            return fail(g, "%s exists: another 'demo generate' is writing it, or one was "
                           "interrupted (remove it, or use --force)", path);
        return fail(g, "cannot create %s: %s", path, strerror(errno));
    }
    return fd;
}

static int write_json(struct gen *g, const char *path, const char *tmp, json_t *root)
{
    int fd = create_excl(g, tmp, true);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        return fail(g, "cannot write %s: %s", tmp, strerror(errno));
    }
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    rc |= fputc('\n', f) == EOF;
    rc |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    rc |= fclose(f) != 0;
    if (rc != 0) {
        unlink(tmp);
        return fail(g, "cannot write %s", tmp);
    }
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return fail(g, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    }
    return 0;
}

/* Moves tmp to out; without force, never over a file that appeared since
 * the start (link() fails when out exists, rename() would not). */
static int publish(struct gen *g, const char *tmp, const char *out, bool force)
{
    if (!force) {
        if (link(tmp, out) == 0) {
            unlink(tmp);
            return 0;
        }
        if (errno == EEXIST)
            return fail(g, "%s appeared while generating; not replaced (use --force)", out);
        if (errno != EPERM && errno != EOPNOTSUPP && errno != EXDEV && errno != EMLINK)
            return fail(g, "cannot create %s: %s", out, strerror(errno));
        /* A file system without hard links: check, then rename. */
        struct stat st;
        if (lstat(out, &st) == 0)
            return fail(g, "%s appeared while generating; not replaced (use --force)", out);
    }
    if (rename(tmp, out) != 0)
        return fail(g, "cannot rename %s to %s: %s", tmp, out, strerror(errno));
    return 0;
}

static double elapsed(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int generate(struct gen *g, FILE *log, int *migrations)
{
    static const char *const pragmas[] = {
        /* No journal and no fsync while generating: a crash leaves only
         * FILE.tmp, which is never renamed into place. */
        "PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA locking_mode = EXCLUSIVE",
        "PRAGMA cache_size = -262144", "PRAGMA temp_store = MEMORY", "BEGIN",
    };
    for (size_t i = 0; i < N_(pragmas); i++)
        if (exec_sql(g, pragmas[i]) != 0)
            return -1;
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    struct strbuf sb;
    sb_init(&sb);
    for (size_t t = 0; t < nt; t++) {
        sb_reset(&sb);
        ddl_table(&sb, &tables[t]);
        if (exec_sql(g, sb.buf) != 0) {
            sb_free(&sb);
            return -1;
        }
    }
    sb_free(&sb);
    if ((*migrations = gen_prisma_migrations(g)) < 0)
        return -1;
    struct tstate *ts = xcalloc(1, sizeof *ts);
    for (size_t t = 0; t < nt; t++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (plan_table(g, ts, &tables[t]) != 0 || gen_table(g, ts) != 0) {
            if (ts->ins)
                sqlite3_finalize(ts->ins);
            free(ts);
            return -1;
        }
        if (log) {
            fprintf(log, "  %-20s %11ld rows  %6.2f s\n", tables[t].name, ts->rows, elapsed(&t0));
            fflush(log);
        }
    }
    free(ts);
    if (log)
        fprintf(log, "  %-20s %11d rows\n", "_prisma_migrations", *migrations);
    if (create_unique_keys(g) != 0 || exec_sql(g, "COMMIT") != 0)
        return -1;
    return 0;
}

int gen_legacy_sqlite(const struct gen_opts *o, FILE *log, char **err)
{
    *err = NULL;
    struct gen *g = xcalloc(1, sizeof *g);
    g->o = o;
    g->err = err;
    g->seed = o->seed;
    g->scale = o->scale;
    g->now = days_from_civil(NOW_Y, NOW_M, NOW_D) * 86400;
    int rc = -1, migrations = 0;
    char *tmp = NULL, *json = NULL, *jtmp = NULL;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    if (o->scale < 1 || o->scale > GEN_MAX_SCALE || !o->out || !*o->out) {
        fail(g, "scale must be 1..%ld and an output file is needed", GEN_MAX_SCALE);
        goto out;
    }
    for (int t = 0; t < T_COUNT; t++)
        g->n[t] = rows_of((enum tab)t, o->scale);
    if (check_contract(g) != 0)
        goto out;
    tmp = xasprintf("%s.tmp", o->out);
    json = xasprintf("%s.dirt.json", o->out);
    jtmp = xasprintf("%s.dirt.json.tmp", o->out);
    struct stat st;
    if (!o->force && lstat(o->out, &st) == 0) {
        fail(g, "%s exists (use --force to replace it)", o->out);
        goto out;
    }
    int fd = create_excl(g, tmp, o->force);
    if (fd < 0)
        goto out;
    close(fd);
    if (log) {
        fprintf(log, "generating a legacy database: scale %ld, seed %" PRIu64 ", %s, into %s\n",
                o->scale, o->seed, o->messy ? "messy" : "clean", o->out);
        fflush(log);
    }
    if (sqlite3_open_v2(tmp, &g->sql, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fail(g, "cannot open %s: %s", tmp, g->sql ? sqlite3_errmsg(g->sql) : "out of memory");
        goto fail_tmp;
    }
    if (generate(g, log, &migrations) != 0)
        goto fail_tmp;
    /* A normal close; then make the data durable before the name appears. */
    if (sqlite3_close(g->sql) != SQLITE_OK) {
        fail(g, "closing %s: %s", tmp, sqlite3_errmsg(g->sql));
        goto fail_tmp;
    }
    g->sql = NULL;
    if (fsync_path(tmp, false) != 0) {
        fail(g, "cannot sync %s: %s", tmp, strerror(errno));
        goto fail_tmp;
    }
    json_t *root = dirt_json(g, migrations);
    int jrc = write_json(g, json, jtmp, root);
    json_decref(root);
    if (jrc != 0 || publish(g, tmp, o->out, o->force) != 0)
        goto fail_tmp;
    char *dir = dir_of(o->out);
    fsync_path(dir, true); /* best effort: the rename's durability */
    free(dir);
    if (log) {
        if (o->messy)
            print_dirt(g, log);
        long total = migrations;
        for (int t = 0; t < T_COUNT; t++)
            total += g->n[t];
        double mb = lstat(o->out, &st) == 0 ? (double)st.st_size / 1048576.0 : 0;
        fprintf(log, "wrote %s (%ld rows, %.1f MB) and %s in %.2f s\n", o->out, total, mb, json,
                elapsed(&t0));
    }
    rc = 0;
    goto out;

fail_tmp:
    if (g->sql)
        sqlite3_close(g->sql);
    g->sql = NULL;
    unlink(tmp);
out:
    for (int c = 0; c < MAXCOLS; c++) {
        sb_free(&g->cb[c]);
        sb_free(&g->db[c]);
    }
    sb_free(&g->last_email);
    free(g->huge);
    free(g);
    free(tmp);
    free(json);
    free(jtmp);
    return rc;
}
