/* gen_words.c - the demo generator's word lists: names, cities, streets, the
 * patterns of organization names by segment, subjects and sentences. Names
 * that fold to the same ASCII would give two users the same email:
 * gen_check_contract() refuses such lists.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "gen_private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Word lists. Names that fold to the same ASCII would give two users the
 * same email: gen_check_contract() refuses such lists.
 * ------------------------------------------------------------------------ */

const char *const first_names[] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra",
    "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily", "Kenneth", "Donna", "Joshua",
    "Michelle", "Kevin", "Carol", "Brian", "Amanda", "George", "Melissa", "Timothy", "Deborah",
    "Wei", "Mei", "Hiroshi", "Yuki", "Priya", "Raj", "Olga", "Dmitri", "Fatima", "Omar", "Aisha",
    "Kwame", "Giulia", "Marco", "Sofía", "José", "Zoë", "Renée", "Björn", "Chloé", "Ngozi",
    "Siobhan", "Tomás", "Ingrid",
};

const char *const last_names[] = {
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

const struct city cities[] = {
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

const char *const streets[] = {
    "Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine",
    "1st", "2nd", "3rd", "Market", "Broadway", "Church", "Water", "River", "Union", "Franklin",
    "Lincoln", "Jackson", "Mill", "Spring", "Center", "Highland", "Madison", "Grand",
    "Commerce", "Industrial", "Harbor", "Meridian", "Peachtree", "Sunset", "Magnolia",
};
const char *const street_kinds[] = {"St", "Ave", "Blvd", "Rd", "Dr", "Way", "Ln", "Pkwy"};

const char *const adjectives[] = {
    "Golden", "Rustic", "Blue", "Silver", "Copper", "Olive", "Smoky", "Little", "Urban",
    "Coastal", "Harvest", "Iron", "Red", "Green", "Wild", "Crimson", "Salty", "Maple", "Sunny",
    "Stone", "Cedar", "Honey", "Pepper", "Twisted", "Hungry", "Happy", "Lucky", "Northern",
};
const char *const nouns[] = {
    "Spoon", "Table", "Fork", "Kettle", "Oak", "Hearth", "Garden", "Vine", "Plate", "Ember",
    "Larder", "Pantry", "Barrel", "Anchor", "Lantern", "Orchard", "Mill", "Skillet", "Saffron",
    "Thyme", "Ladle", "Griddle", "Brick Oven", "Smokehouse", "Galley",
};
const char *const animals[] = {
    "Pig", "Goat", "Rooster", "Bull", "Fox", "Crab", "Pelican", "Bear", "Hen", "Trout", "Moose",
};
const char *const saints[] = {
    "Mary's", "Joseph's", "Luke's", "Francis", "Anne's", "Jude", "Vincent's", "Elizabeth's",
    "Catherine's", "Michael's",
};
const char *const industries[] = {
    "Logistics", "Pharma", "Software", "Insurance", "Energy", "Aerospace", "Financial", "Media",
    "Biotech", "Freight",
};

/* Name patterns per segment: %F first name, %L last name, %A adjective,
 * %N noun, %X animal, %C city, %T saint, %I industry. */
const char *const pat_fine[] = {
    "%L's", "Chez %F", "The %A %N", "Maison %L", "%N & %N", "%C Chophouse", "Osteria %L",
    "%F's Table", "The %N Room",
};
const char *const pat_fast[] = {
    "%A Burger Co.", "%L's Chicken", "Taco %N", "%A Subs", "Pizza %L", "Wok %N Express",
    "%A Bagels", "%C Hot Dog Stand", "%F's Drive-In",
};
const char *const pat_casual[] = {
    "%L's Tavern", "The %A %X Grill", "%C Ale House", "%A Fork Bistro", "%A %X Diner",
    "%F & %F's Kitchen", "The %N Cafe", "%L's Cantina",
};
const char *const pat_catering[] = {
    "%L Catering", "%A Table Events", "%C Banquets & Catering", "%F's Party Platters",
    "%A %N Catering Co.",
};
const char *const pat_institutional[] = {
    "%C County Detention Center", "%L Senior Living", "%C Correctional Facility",
    "Camp %L", "%A Pines Retirement Community", "%C Rescue Mission",
};
const char *const pat_health[] = {
    "%C General Hospital", "St. %T Medical Center", "%L Memorial Hospital",
    "%C Regional Health", "%A Valley Rehabilitation Center", "%C Children's Hospital",
};
const char *const pat_edu[] = {
    "%C Unified School District", "%L Elementary School", "%C High School",
    "University of %C Dining Services", "%L College", "%A Ridge Academy",
};
const char *const pat_corp[] = {
    "%L %I Campus Cafe", "%A %I HQ Dining", "%L & %L LLP Cafeteria", "%C %I Center Cafe",
    "%A %I Employee Dining",
};

const char *const positions[] = {
    "Executive Chef", "Sous Chef", "Chef de Cuisine", "Purchasing Manager", "F&B Director",
    "Food & Beverage Manager", "General Manager", "Owner", "Kitchen Manager",
    "Director of Dining Services", "Foodservice Director", "Nutrition Services Director",
    "Catering Manager", "Procurement Specialist", "Operations Manager", "Culinary Director",
    "Banquet Chef", "Pastry Chef", "Buyer", "Accounts Payable Clerk",
    "Regional Purchasing Director", "Dietary Manager", "Restaurant Manager", "Co-Owner",
};

const char *const products[] = {
    "frozen seafood", "Angus beef", "organic produce", "artisan cheeses", "paper & disposables",
    "specialty oils", "gluten-free baking mixes", "plant-based proteins", "imported pasta",
    "premium coffee", "dairy", "cleaning chemicals", "microgreens", "Wagyu", "poultry",
    "bakery items", "spices", "frozen desserts", "fresh herbs", "charcuterie",
};

const char *const product_lines[] = {
    "Frozen Seafood Program", "Produce Supply Agreement", "Dairy Contract Renewal",
    "Disposables Conversion", "Center-of-Plate Proteins", "Bakery Program", "Beverage Program",
    "Holiday Catering Supplies", "Cleaning & Sanitation", "Specialty Cheese Program",
    "Plant-Based Menu Launch", "Coffee Service", "Dry Goods Consolidation", "Poultry Program",
};

const char *const subj_call[] = {
    "Follow-up call about %P", "Pricing question on %P", "Called re: delivery window",
    "Intro call with chef", "Call about invoice discrepancy",
};
const char *const subj_email[] = {
    "Sent updated price list", "Quote for %P", "Emailed spec sheets for %P",
    "Order confirmation", "Newsletter: seasonal %P",
};
const char *const subj_meeting[] = {
    "Quarterly business review", "Menu planning meeting", "Contract renewal meeting",
    "Meeting with purchasing about %P",
};
const char *const subj_visit[] = {
    "Site visit - kitchen walkthrough", "Visited to check storage for %P", "Drop-in visit",
};
const char *const subj_sample[] = {"Dropped off %P samples", "Sample delivery: %P"};
const char *const subj_tasting[] = {"Chef tasting: %P", "Tasting of new %P line"};
const char *const subj_follow[] = {
    "Follow up on %P proposal", "Follow up after tasting", "Checking in on first order",
};
const char *const subj_other[] = {"Trade show contact", "Holiday card", "Misc note"};

const char *const next_actions[] = {
    "Send revised quote", "Schedule tasting", "Call back next week", "Deliver samples",
    "Introduce to regional chef", "Check on delivery issue", "Send credit application",
    "Book quarterly review", "Confirm pricing with category manager", "Set up on EDI ordering",
};

const char *const sentences[] = {
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

const char *const terms_sentences[] = {
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

const char *const gen_huge_sentence =
    "Order history imported from the AS/400 system: weekly standing order of produce, "
    "dairy and dry goods, adjusted for holidays; see the attached ledger lines. ";

