/**
 * Places for the scrubber. States may stay in de-identified text (Safe Harbor removes only
 * "geographic subdivisions smaller than a state"); cities and towns may not. Multi-word
 * names are separated by `|`.
 */
import { phraseList } from './words.js';

export const STATE_NAMES: readonly string[] = phraseList(`
Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|
Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|
Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|
North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|
South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|
District of Columbia|Puerto Rico|Guam
`);

/** USPS state codes. MD, PA and DO double as degrees after a name, handled where used. */
export const STATE_CODES: ReadonlySet<string> = new Set(
  `AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND
   OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI`.split(/\s+/).filter(Boolean),
);

/** Large US cities and the towns of Massachusetts (where Synthea's demo patients live). */
export const CITIES: readonly string[] = phraseList(`
New York|Los Angeles|Chicago|Houston|Phoenix|Philadelphia|San Antonio|San Diego|Dallas|San Jose|
Austin|Jacksonville|Fort Worth|Columbus|Charlotte|Indianapolis|San Francisco|Seattle|Denver|
Oklahoma City|Nashville|El Paso|Washington|Las Vegas|Boston|Portland|Louisville|Memphis|Detroit|
Baltimore|Milwaukee|Albuquerque|Tucson|Fresno|Sacramento|Mesa|Kansas City|Atlanta|Omaha|
Colorado Springs|Raleigh|Long Beach|Virginia Beach|Miami|Oakland|Minneapolis|Tulsa|Bakersfield|
Wichita|Arlington|Aurora|Tampa|New Orleans|Cleveland|Honolulu|Anaheim|Lexington|Stockton|
Corpus Christi|Henderson|Riverside|Newark|Saint Paul|St. Paul|Santa Ana|Cincinnati|Irvine|Orlando|
Pittsburgh|St. Louis|Saint Louis|Greensboro|Jersey City|Anchorage|Lincoln|Plano|Durham|Buffalo|
Chandler|Chula Vista|Toledo|Madison|Gilbert|Reno|Fort Wayne|North Las Vegas|St. Petersburg|
Lubbock|Irving|Laredo|Winston-Salem|Chesapeake|Glendale|Garland|Scottsdale|Norfolk|Boise|
Fremont|Spokane|Santa Clarita|Baton Rouge|Richmond|Hialeah|San Bernardino|Tacoma|Modesto|
Huntsville|Des Moines|Yonkers|Rochester|Moreno Valley|Fayetteville|Fontana|Columbus|Worcester|
Port St. Lucie|Little Rock|Augusta|Oxnard|Birmingham|Montgomery|Frisco|Amarillo|Salt Lake City|
Grand Rapids|Huntington Beach|Overland Park|Glendale|Tallahassee|Grand Prairie|McKinney|
Cape Coral|Sioux Falls|Peoria|Providence|Vancouver|Knoxville|Akron|Shreveport|Mobile|Brownsville|
Newport News|Fort Lauderdale|Chattanooga|Tempe|Santa Rosa|Eugene|Elk Grove|Salem|Ontario|
Cary|Rancho Cucamonga|Oceanside|Lancaster|Garden Grove|Pembroke Pines|Fort Collins|Palmdale|
Springfield|Clarksville|Rockford|Alexandria|Hollywood|Paterson|Hartford|New Haven|Stamford|
Bridgeport|Waterbury|Manchester|Nashua|Concord|Burlington|Albany|Syracuse|Savannah|Charleston|
Columbia|Greenville|Wilmington|Dover|Annapolis|Trenton|Camden|Allentown|Erie|Scranton|Harrisburg|
Ann Arbor|Lansing|Flint|Dayton|Youngstown|Evansville|South Bend|Gary|Green Bay|Duluth|Fargo|
Bismarck|Billings|Cheyenne|Santa Fe|Las Cruces|Provo|Ogden|Pasadena|Berkeley|Palo Alto|
Santa Barbara|Santa Monica|Burbank|Torrance|Pomona|Escondido|Sunnyvale|Hayward|Salinas|
Boulder|Pueblo|Topeka|Lawrence|Joplin|Independence|Jackson|Gulfport|Biloxi|Lafayette|
Beaumont|Waco|Killeen|Midland|Odessa|Abilene|Tyler|Galveston|McAllen|Round Rock|Sugar Land|
Pensacola|Gainesville|Naples|Sarasota|Clearwater|Lakeland|Daytona Beach|Boca Raton|
West Palm Beach|Key West|Macon|Athens|Asheville|Roanoke|Lynchburg|Fairfax|Bethesda|Rockville|
Silver Spring|Frederick|Hagerstown|Morgantown|Wheeling|Burlington|Bangor|Lewiston|Augusta|
Cambridge|Somerville|Brookline|Newton|Quincy|Lynn|Lowell|Brockton|New Bedford|Fall River|
Springfield|Worcester|Framingham|Waltham|Malden|Medford|Taunton|Chicopee|Weymouth|Revere|
Peabody|Methuen|Barnstable|Pittsfield|Attleboro|Arlington|Everett|Salem|Westfield|Leominster|
Fitchburg|Beverly|Holyoke|Marlborough|Woburn|Amherst|Braintree|Shrewsbury|Chelsea|Dartmouth|
Chelmsford|Andover|Natick|Randolph|Watertown|Franklin|Falmouth|Lexington|Needham|Norwood|Dedham|
Wellesley|Milton|Belmont|Winchester|Reading|Wakefield|Stoughton|Canton|Sharon|Walpole|Foxborough|
Mansfield|Easton|Bridgewater|Plymouth|Kingston|Duxbury|Marshfield|Scituate|Hingham|Cohasset|
Hull|Hanover|Pembroke|Rockland|Abington|Whitman|Hanson|Halifax|Middleborough|Lakeville|
Wareham|Bourne|Sandwich|Mashpee|Yarmouth|Dennis|Harwich|Chatham|Brewster|Orleans|Eastham|
Wellfleet|Truro|Provincetown|Nantucket|Edgartown|Oak Bluffs|Tisbury|Gloucester|Rockport|
Newburyport|Amesbury|Haverhill|Lawrence|North Andover|Tewksbury|Billerica|Dracut|Tyngsborough|
Westford|Acton|Concord|Bedford|Burlington|Wilmington|Saugus|Swampscott|Marblehead|Danvers|
Ipswich|Hamilton|Wenham|Topsfield|Boxford|Georgetown|Rowley|Newbury|Salisbury|Merrimac|
Groveland|Middleton|Lynnfield|Stoneham|Melrose|Winthrop|Nahant|Dorchester|Roxbury|Mattapan|
Jamaica Plain|Brighton|Allston|Charlestown|Hyde Park|Roslindale|West Roxbury|Back Bay|
Beacon Hill|South Boston|East Boston|Northampton|Easthampton|Greenfield|Agawam|West Springfield|
Ludlow|Palmer|Ware|Southbridge|Webster|Auburn|Grafton|Westborough|Northborough|Hudson|
Clinton|Gardner|Athol|Orange|Sudbury|Wayland|Weston|Lincoln|Lenox|Great Barrington|
North Adams|Williamstown|Stockbridge|Lee|Dalton|Adams|Ashland|Hopkinton|Milford|Bellingham|
Medway|Millis|Holliston|Sherborn|Dover|Medfield|Norfolk|Wrentham|Plainville|Norton|Raynham|
Somerset|Swansea|Seekonk|Rehoboth|Dighton|Berkley|Freetown|Fairhaven|Acushnet|Mattapoisett|
Marion|Rochester|Westport|Tiverton|Woonsocket|Pawtucket|Cranston|Warwick|Newport
`);
