/**
 * Common US given names (female, male, and unisex), from the most frequent names of the
 * last century, lowercase. A capitalised token found here is a name candidate; the ones
 * that are also ordinary English words need corroboration (see names.ts).
 */
import { wordSet } from './words.js';

export const FIRST_NAMES: ReadonlySet<string> = wordSet(`
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret sandra
ashley kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura
cynthia kathleen amy angela shirley anna brenda pamela emma nicole helen samantha katherine christine
debra rachel carolyn janet catherine maria heather diane ruth julie olivia joyce virginia victoria kelly
lauren christina joan evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa ann sara
madison frances kathryn janice jean abigail alice judy sophia grace denise amber doris marilyn danielle
beverly isabella theresa diana natalie brittany charlotte marie kayla alexis lori tiffany tammy crystal
rose ava mia chloe ella harper avery sofia camila aria scarlett layla riley zoey nora lily eleanor hazel
violet aurora savannah audrey brooklyn bella claire skylar lucy paisley everly anna caroline nova genesis
emilia kennedy maya willow kinsley naomi aaliyah elena ariana allison gabriella alice madelyn cora ruby
eva serenity autumn adeline hailey gianna valentina isla eliana quinn nevaeh ivy sadie piper lydia
alexa josephine emery julia delilah arianna vivian kaylee sophie brielle madeline peyton rylee clara
hadley melanie mackenzie reagan adalynn liliana aubree jade katherine isabelle natalia raelynn maria
athena ximena arya leilani taylor faith rose kylie alexandra mary margaret lyla ashley amaya eliza
brianna bailey andrea khloe jasmine melody iris isabel norah annabelle valeria emerson adalyn ryleigh
eden emersyn anastasia kayla alyssa juliana charlie esther ariel cecilia valerie alina molly reese
aliyah lilly parker finley morgan sydney jordyn eloise trinity daisy kimberly lauren genevieve sara
arabella harmony elise remi teagan alexis london sloane laila lucia diana juliette sienna elliana
londyn ayla callie gracie josie amara jocelyn daniela everleigh mila blakely catalina hope faith joy
gladys irene lillian louise mildred florence ethel edna thelma wanda lois marjorie beatrice geraldine
bonnie peggy phyllis norma juanita loretta anita rosa kathy connie rita erin sherry annie glenda
tracy dana wendy ellen carrie robin jill leslie stacy tonya yolanda yvonne marlene sue lucille vera
jo dawn april june may holly gina tina joanne rhonda regina sheila rachael pauline stella jessie lena
bertha darlene mae viola lorraine agnes opal ida myrtle lula minnie bessie nellie hattie ella alma
eula fannie inez essie pearl vivian eunice lucy sylvia wilma marian maxine dolores colleen kristen
kristin kristina krista katrina kari kara karla carla carmen cassandra claudia cindy courtney
destiny ebony elaine erica erika felicia gail georgia gwendolyn heidi hilda holly jacquelyn jana
janelle jenna jodi josephine katie kendra kirsten kristy latoya leah lindsay lindsey lynn mandy
marcia margarita marsha melinda meredith miranda misty monica nadia natasha olga patsy paula priscilla
renee roberta robyn rosemary roxanne sabrina shannon shauna shelby sonia sonya stacey susie tamara
tanya tara terri toni tricia valerie veronica whitney yvette zoe abby addison adriana alejandra
alana alicia alison allie alondra amelia anahi angelica angelina annabella aubrey beatriz bethany
blanca briana bridget brittney camille candace cara carly cassidy celeste chelsea christy ciara
cristina daphne deanna deja delaney desiree diamond dominique elisa elsa esperanza estela fatima
francesca gabriela giselle graciela guadalupe haley hanna imani ingrid isabela jaime janae janessa
jazmin jenifer jillian joanna johanna jolene kaitlyn kaitlin kassandra katelyn katia kelsey
kiara kristine lacey lana larissa leticia lilia liliana lizbeth lorena lourdes luz mackenzie
makayla marisol maritza mariah marina marissa mckenzie mercedes mikayla mireya nayeli noemi
paola perla raquel rebekah rocio rosalinda rosario ruth selena shayla silvia sonja tatiana
tessa theresa valeria vanessa viviana xiomara yasmin yesenia zaira esmeralda fernanda
mariana paulina sandy becky debbie patty cathy peggy trudy gertrude edith hazel ruby irma
ernestine velma frieda greta hilde ingrid astrid sigrid helga olga svetlana natasha irina
tatyana yelena oksana ludmila galina agnieszka katarzyna malgorzata ewa zofia beata
aisha fatimah amina zainab khadija mariam yasmin leila layla noor huda samira nadia rania
priya anjali deepa lakshmi sunita kavita pooja neha sneha divya meera asha geeta rekha
mei ling xiu yan hui jing li na hong ying fang lan yuki keiko yoko akiko haruka sakura
hana minji jiwoon soojin eunji hyejin thuy linh huong lan mai ngoc trang
james robert john michael david william richard joseph thomas charles christopher daniel matthew
anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason
jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel
gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry douglas
zachary peter kyle ethan walter noah jeremy christian keith roger terry gerald harold sean austin carl
arthur lawrence dylan jesse jordan bryan billy joe bruce gabriel logan albert willie alan juan wayne
elijah randy roy vincent ralph eugene russell bobby mason philip louis liam oliver lucas levi
sebastian mateo jackson owen wyatt luke grayson julian isaac leo lincoln jaxon asher theodore
josiah hudson ezra maverick elias caleb miles nolan kai carter hunter eli cameron connor jeremiah
easton landon adrian colton axel ryder ian ezekiel nathaniel cooper jaxson everett luca roman
santiago greyson jonah xavier silas declan carson weston micah vincent brooks waylon jace bennett
jameson rowan emmett milo parker ayden diego kingston ivan max harrison jude beau george bentley
wesley damian braxton rhett hayden giovanni kaiden victor sawyer zion knox jasper myles ryker
calvin amir gavin kayden tobias finn graham chase jayden emmanuel malachi brantley nicolas
beckett cole river antonio kaleb tristan abel dean dominic alex ashton brody jesus preston
ace harvey enzo colt luis theo atlas bryson timothy zane carlos paxton patrick thiago archer
judah king maximus elliot cayden hendrix kyrie barrett arlo jayce emiliano mark rafael tucker
joel andres jax jaden lorenzo maddox nash ellis leon kash karter reid dawson cash matteo
otis emilio arthur dante francisco kane bodhi griffin ronan zachary caden javier tate walker
august gunner ali fernando lukas mohammed muhammad ahmed omar hassan hussein ibrahim yusuf mustafa
khalid tariq karim rashid samir nabil faisal bilal imran raj rahul amit vikram sanjay arjun ravi
anil sunil vijay ashok rajesh suresh ramesh manoj deepak wei ming jun hao lei tao jian yong
chen hiroshi takeshi kenji akira yuto haruto minho jisung seojun hyun joon duc minh tuan
dmitri sergei vladimir alexei mikhail nikolai andrei pavel yuri igor oleg boris piotr tomasz
krzysztof pawel marek jakub wojciech lukasz stanislaw jan johan lars sven erik nils anders
hans klaus jurgen dieter wolfgang stefan matthias francois pierre jean jacques luc michel
giuseppe giovanni marco luca alessandro matteo lorenzo pablo javier alejandro miguel manuel
jorge ricardo roberto eduardo sergio raul ramon pedro alberto armando enrique rodrigo hector
ruben cesar oscar marcos julio mario victor hugo felipe gustavo andres ignacio salvador
herbert howard earl clarence ernest fred stanley leonard harry francis melvin lloyd alvin
chester floyd leroy herman glenn jimmy johnny tommy danny eddie freddie sammy bernard
marvin norman gordon lewis wallace cecil clifford clyde elmer lester milton morris sidney
leslie lonnie marion virgil warren wilbur homer otto rufus luther ira isaiah elmer archie
bill bob rob robbie bobby jim jimmie jon johnathan mike mikey dave davey rick ricky rich
dick tom tony tommie chris steve stevie nick greg ken kenny ron ronnie ed eddy ted teddy
jeff jerome marc marcus derek derrick travis troy chad brad bradley brett cody corey craig
curtis darren darryl dale dwayne dustin gene glen grant lance lee leon mitchell neil
nelson perry rodney ross shane shawn spencer todd trevor troy vernon wade clayton clint
cory cyrus dallas darius desmond dewayne donovan elliott emanuel ervin everett fabian
forrest garrett gilbert jamal jarvis jermaine jody kendall kirk kurt lamar lionel lyle
marshall maurice monte morgan nathan noel orlando quentin reggie reginald rex rudy russ
seth sheldon stuart terrance terrence tyrone ulysses van wendell willis zachariah
alfred alfonso ambrose amos barney basil benny bert buck bud burt cornelius cyril
delbert doyle elbert elwood emil emory ferdinand garland grover hubert irvin jasper
kermit lyman merle mervin murray newton ollie orville percy rollin roscoe sherman
sylvester thaddeus tobias truman wilbert wiley woodrow abe ebenezer ezekiel
mateo santino leonardo gael iker emiliano sebastián josé jesús maría
penny sunny sonny will rusty buddy missy sissy bunny candy cookie
`);
