/**
 * Name lists for synthetic patients, relatives and clinicians: common US given names (Social
 * Security Administration top names across the 20th century) and family names (Census 2010
 * most frequent surnames), plus a few spellings that exercise the redaction layer
 * (apostrophes, particles, hyphens).
 */
import type { Random } from './random.js';

const words = (text: string): readonly string[] => Object.freeze(text.trim().split(/\s+/));

export const FEMALE_GIVEN_NAMES = words(`
  Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
  Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah
  Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma
  Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather
  Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith
  Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances Kathryn
  Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly
  Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Rosa Ava Mia
  Harper Ella Chloe Camila Lily Aria Zoe Nora Riley Layla Penelope Aaliyah Gabriella Lucia
  Ximena Guadalupe Yolanda Mei Priya Aisha Fatima Keisha Tamika Latoya Ebony Imani Naomi Leah
  Ruby Hazel Violet Stella Claire Audrey Eleanor Lucille Mildred Edna Ethel Florence Gladys
  Irene Josephine Louise Marjorie Norma Agnes Bernice Viola Thelma Rita Wanda Peggy Connie
  Tammy Tracy Stacy Wendy Tina Dawn Holly Erin Kristen Courtney Monica Veronica Vanessa
  Jasmine Destiny Autumn Savannah Brooke Paige Sydney Morgan Jenna Kaitlyn Molly Bailey
`);

export const MALE_GIVEN_NAMES = words(`
  James Robert John Michael David William Richard Joseph Thomas Christopher Charles Daniel
  Matthew Anthony Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian George Timothy
  Ronald Jason Edward Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin
  Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry
  Tyler Aaron Jose Adam Nathan Henry Zachary Douglas Peter Kyle Noah Ethan Jeremy Walter
  Christian Keith Roger Terry Austin Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan
  Jesse Bryan Billy Bruce Gabriel Joe Logan Alan Juan Albert Willie Elijah Wayne Randy
  Vincent Mason Roy Ralph Bobby Russell Bradley Philip Eugene Liam Oliver Lucas Mateo Levi
  Sebastian Owen Wyatt Carter Julian Luke Grayson Isaac Jayden Theodore Caleb Hudson Miguel
  Carlos Luis Jorge Diego Alejandro Rafael Hector Wei Hiroshi Rajesh Arjun Omar Ahmed Malik
  DeShawn Jamal Darnell Tyrone Andre Marcus Terrence Cedric Lamar Reginald Clarence Earl
  Howard Leonard Stanley Herbert Ernest Melvin Floyd Lloyd Clifford Chester Leroy Harvey
  Francis Norman Glenn Wesley Dale Curtis Troy Shane Derek Travis Cody Brett Chad Trevor
  Marvin Victor Martin Todd Allen Craig Phillip Leon Edwin Gordon Manuel Ramon Dominic
`);

/** Spellings the single-word lists below cannot hold. */
const SPELLINGS: Readonly<Record<string, string>> = {
  OBrien: "O'Brien",
  OConnor: "O'Connor",
  DeLeon: 'De Leon',
  Delacruz: 'De La Cruz',
  Hail: 'Hail-Jones',
  Beil: 'Van Beil',
};

export const FAMILY_NAMES = words(`
  Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
  Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
  Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
  Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
  Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
  Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
  Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo
  Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell
  Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson
  Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera
  Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez
  McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns
  Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt
  Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer
  Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant
  Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight
  Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado
  Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence
  Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins Greene Nunez Wheeler Valdez
  Harper Burke Larson Santiago Maldonado Morrison Franklin Carlson Austin Dominguez Carr Lawson
  Jacobs OBrien Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey Williamson Gilbert
  Dean Sims Espinoza Howell Li Wong Reid Hanson Le McCoy Garrett Burton Fuller Wang Weber
  Welch Rojas Lucas Marquez Fields Park Yang Little Banks Padilla Day Walsh Bowman Schultz
  Luna Fowler Mejia Davidson Acosta Brewer May Holland Juarez Newman Pearson Curtis Cortez
  Douglas Schneider Joseph Barrett Navarro Figueroa Keller Avila Wade Molina Stanley Hopkins
  Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda Byrd Craig Ayala Lowe Frazier
  Powers Neal Leonard Gregory Carrillo Sutton Fleming Rhodes Shelton Schwartz Norris Jennings
  Watts Duran Walters Cohen McDaniel Moran Parks Steele Vaughn Becker Holt DeLeon Barker
  Terry Hale Leon Hail Benson Haynes Horton Miles Lyons Pham Graves Bush Thornton Wolfe Warner
  Cabrera McKinney Mann Zimmerman Dawson Lara Fletcher Page McCarthy Love Robles Cervantes
  Solis Erickson Reeves Chang Klein Salinas Fuentes Baldwin Daniel Simon Velasquez Hardy
  Higgins Aguirre Lin Cummings Chandler Sharp Barber Bowen Ochoa Dennis Robbins Liu Ramsey
  Francis Griffith Paul Blair OConnor Cardenas Pacheco Cross Calderon Quinn Moss Swanson
  Chan Rivas Khan Rodgers Serrano Fitzgerald Rosales Stevenson Christensen Manning Gill Curry
  McLaughlin Harmon McGee Gross Doyle Garner Newton Burgess Reese Walton Blake Trujillo Adkins
  Brady Goodman Roman Webster Goodwin Fischer Huang Potter Delacruz Montoya Todd Wu Hines
  Mullins Castaneda Malone Cannon Tate Mack Sherman Hubbard Hodges Zhang Guerra Wolf Valencia
  Saunders Franco Rowe Gallagher Farmer Hammond Hampton Townsend Ingram Wise Gallegos Clarke
  Barton Schroeder Maxwell Waters Logan Camacho Strickland Norman Person Colon Parsons Frank
  Harrington Glover Osborne Buchanan Casey Floyd Patton Ibarra Ball Tyler Suarez Bowers
  Orozco Salas Cobb Gibbs Andrade Bauer Conner Moody Escobar McGuire Lloyd Mueller Hartman
  French Kramer McBride Pope Lindsey Velazquez Norton McCormick Sparks Flynn Yates Hogan
  Marsh Macias Villanueva Zamora Pratt Stokes Owen Ballard Lang Brock Villarreal Charles
  Drake Barrera Cain Patrick Pineda Burnett Mercado Santana Shepherd Bautista Ali Shaffer
  Lamb Trevino McKenzie Hess Beil Olsen Cochran Morton Nash Wilkins Petersen Briggs Shah
  Roth Nicholson Holloway Lozano Rangel Flowers Hoover Short Arias Mora Valenzuela Bryan
  Meyers Weiss Underwood Bass Greer Summers Houston Carson Morrow Clayton Whitaker Decker
  Yoder Collier Zuniga Carey Wilcox Melendez Poole Roberson Larsen Conley Davenport Copeland
  Massey Lam Huff Rocha Cameron Jefferson Hood Monroe Anthony Pittman Huynh Randall Singleton
  Kirk Combs Mathis Christian Skinner Bradford Richard Galvan Wall Boone Kirby Wilkinson
  Bridges Bruce Atkinson Velez Meza Roy Vincent York Hodge Villa Abbott Allison Tapia Gates
  Chase Sosa Sweeney Farrell Wyatt Dalton Horn Barron Phelps Yu Dickerson Heath Foley
  Atkins Mathews Bonilla Acevedo Benitez Zavala Hensley Glenn Cisneros Harrell Shields Rubio
`).map((name) => SPELLINGS[name] ?? name);

/** A given name that fits the sex; either list for 'other' and 'unknown'. */
export function givenNameFor(random: Random, sex: string): string {
  if (sex === 'female') return random.pick(FEMALE_GIVEN_NAMES);
  if (sex === 'male') return random.pick(MALE_GIVEN_NAMES);
  return random.pick(random.chance(0.5) ? FEMALE_GIVEN_NAMES : MALE_GIVEN_NAMES);
}
